import { call } from "../../api/client";
import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";
import { Link, useLocation } from "../../router";
import { useSubmit } from "./useSubmit";

/** The landing page of the reset link: `/reset-password?token=…`. */
export function ResetPasswordPage() {
  const { query } = useLocation();
  const token = query.get("token") ?? "";
  const { busy, error, done, onSubmit } = useSubmit(async (form) => {
    const password = String(form.get("password"));
    if (password !== String(form.get("confirm"))) throw new Error("The two passwords differ.");
    const body = await call("post", "/api/auth/password/reset", {
      body: { token, password },
      auth: false,
    });
    return body.message;
  });
  return (
    <section className="card narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <>
          <Note tone="success">{done}</Note>
          <p>
            <Link to="/signin">Sign in</Link>
          </p>
        </>
      ) : (
        <form onSubmit={onSubmit}>
          <Field label="New password" name="password" type="password" autoComplete="new-password" minLength={8} required />
          <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" minLength={8} required />
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy || !token}>
            Change password
          </button>
        </form>
      )}
    </section>
  );
}
