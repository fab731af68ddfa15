import { useEffect, useRef, useState } from "react";

import { call } from "../../api/client";
import { ErrorMessage, Note } from "../../components/Alert";
import { Link, useLocation } from "../../router";

/** The landing page of the confirmation link: `/verify-email?token=…`. */
export function VerifyEmailPage() {
  const { query } = useLocation();
  const token = query.get("token");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const sent = useRef(false);

  useEffect(() => {
    // Verification tokens work once; never post the same one twice.
    if (!token || sent.current) return;
    sent.current = true;
    call("post", "/api/auth/verify", { body: { token }, auth: false })
      .then((body) => setMessage(body.message))
      .catch(setError);
  }, [token]);

  return (
    <section className="card narrow">
      <h1>Confirm your e-mail</h1>
      {!token && <ErrorMessage error={new Error("This link has no token. Open the link from the e-mail again.")} />}
      {token && !message && !error && <p role="status">Confirming…</p>}
      {message && (
        <>
          <Note tone="success">{message}</Note>
          <p>
            <Link to="/signin">Sign in</Link>
          </p>
        </>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
