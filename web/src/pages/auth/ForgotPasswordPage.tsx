import { call } from "../../api/client";
import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";
import { Link } from "../../router";
import { useSubmit } from "./useSubmit";

export function ForgotPasswordPage() {
  const { busy, error, done, onSubmit } = useSubmit(async (form) => {
    const body = await call("post", "/api/auth/password/forgot", {
      body: { email: String(form.get("email")) },
      auth: false,
    });
    return body.message;
  });
  return (
    <section className="card narrow">
      <h1>Reset your password</h1>
      {done ? (
        <Note tone="success">{done}</Note>
      ) : (
        <form onSubmit={onSubmit}>
          <Field label="E-mail" name="email" type="email" autoComplete="email" required />
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        <Link to="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}
