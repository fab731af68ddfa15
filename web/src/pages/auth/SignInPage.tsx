import { call } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";
import { Link, navigate, useLocation } from "../../router";
import { useSubmit } from "./useSubmit";

/** Only same-app paths may be a post-sign-in destination (no open redirects). */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/library";
}

export function SignInPage() {
  const { signIn } = useSession();
  const { query } = useLocation();
  const notice = query.get("notice");
  const { busy, error, onSubmit } = useSubmit(async (form) => {
    await signIn(String(form.get("email")), String(form.get("password")));
    navigate(safeNext(query.get("next")), { replace: true });
  });
  const resend = useSubmit(async (form) => {
    const body = await call("post", "/api/auth/verify/resend", {
      body: { email: String(form.get("email")) },
      auth: false,
    });
    return body.message;
  });
  const unverified = error instanceof Error && /verif/i.test(error.message);

  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      {notice && <Note tone="success">{notice}</Note>}
      <form onSubmit={onSubmit}>
        <Field label="E-mail" name="email" type="email" autoComplete="email" required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {unverified && (
        <form onSubmit={resend.onSubmit} className="inline-form">
          <Field label="Send the confirmation link again to" name="email" type="email" required />
          <button type="submit" disabled={resend.busy}>
            Resend link
          </button>
          {resend.done && <Note>{resend.done}</Note>}
        </form>
      )}
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · New here?{" "}
        <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
