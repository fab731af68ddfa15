import { useEffect, useRef, useState } from "react";

import { useSession } from "../../auth/session";
import { ErrorMessage, Note } from "../../components/Alert";
import { Link, navigate, useLocation } from "../../router";

/**
 * The landing page of the confirmation link: `/verify-email?token=…`. The link confirms the
 * address and signs this device in, so the producer goes straight on to their library. The
 * token is spent then, so the address bar drops it: a reload must not post it again.
 */
export function VerifyEmailPage() {
  const { query } = useLocation();
  const token = query.get("token");
  const verified = query.get("verified") === "1";
  const { status, signInWithLink } = useSession();
  const [error, setError] = useState<unknown>(null);
  const sent = useRef(false);

  useEffect(() => {
    // Verification tokens work once; never post the same one twice.
    if (!token || sent.current) return;
    sent.current = true;
    signInWithLink(token)
      .then(() => navigate("/verify-email?verified=1", { replace: true }))
      .catch(setError);
  }, [token, signInWithLink]);

  return (
    <section className="card narrow">
      <h1>Confirm your e-mail</h1>
      {!token && !verified && (
        <ErrorMessage error={new Error("This link has no token. Open the link from the e-mail again.")} />
      )}
      {token && !error && <p role="status">Confirming…</p>}
      {verified && status === "signed-in" && (
        <>
          <Note tone="success">Email verified. You are signed in.</Note>
          <p>
            <Link to="/library" className="button">
              Go to your library
            </Link>
          </p>
        </>
      )}
      {verified && status === "signed-out" && (
        <Note tone="success">
          Email verified. <Link to="/signin">Sign in</Link> to open your library.
        </Note>
      )}
      {error !== null && (
        <>
          <ErrorMessage error={error} />
          <p>
            <Link to="/signin">Sign in</Link> if you confirmed this address already.
          </p>
        </>
      )}
    </section>
  );
}
