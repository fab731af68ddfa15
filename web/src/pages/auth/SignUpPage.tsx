import { call } from "../../api/client";
import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";
import { Link } from "../../router";
import { useSubmit } from "./useSubmit";

export function SignUpPage() {
  const { busy, error, done, onSubmit } = useSubmit(async (form) => {
    const body = await call("post", "/api/auth/register", {
      auth: false,
      body: {
        email: String(form.get("email")),
        password: String(form.get("password")),
        first_name: String(form.get("first_name")),
        last_name: String(form.get("last_name")),
      },
    });
    return `${body.message} Open the link we sent to ${String(form.get("email"))}.`;
  });

  return (
    <section className="card narrow">
      <h1>Create your account</h1>
      {done ? (
        <Note tone="success">{done}</Note>
      ) : (
        <form onSubmit={onSubmit}>
          <Field label="First name" name="first_name" autoComplete="given-name" required maxLength={100} />
          <Field label="Last name" name="last_name" autoComplete="family-name" required maxLength={100} />
          <Field label="E-mail" name="email" type="email" autoComplete="email" required />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            hint="At least 8 characters. A long phrase is easiest to remember."
          />
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create account"}
          </button>
        </form>
      )}
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
