/** Change the password; the platform ends every other session and answers with fresh tokens. */
import { useState, type FormEvent } from "react";

import { call, setAccessToken } from "../../api/client";
import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";

export function PasswordForm({ onChanged }: { onChanged?: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(null);
    setSaved(false);
    if (form.get("new_password") !== form.get("repeat_password")) {
      setError(new Error("The new passwords do not match."));
      return;
    }
    setBusy(true);
    try {
      const body = await call("post", "/api/account/password", {
        body: { current_password: String(form.get("current_password")), new_password: String(form.get("new_password")) },
      });
      setAccessToken(body.token);
      formElement.reset();
      setSaved(true);
      onChanged?.();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required />
      <Field
        label="New password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        maxLength={1024}
        hint="At least 8 characters; a long phrase is best."
      />
      <Field label="Repeat the new password" name="repeat_password" type="password" autoComplete="new-password" required />
      <ErrorMessage error={error} />
      {saved && <Note tone="success">Password changed. Every other session was signed out.</Note>}
      <button type="submit" disabled={busy}>
        Change password
      </button>
    </form>
  );
}
