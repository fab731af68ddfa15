/** Messages a person must notice: errors (announced at once) and calmer status notes. */
import type { ReactNode } from "react";

import { ApiError, messageOf } from "../api/errors";
import { Link } from "../router";

export function ErrorMessage({ error }: { error: unknown }) {
  if (error == null) return null;
  const quota = error instanceof ApiError && error.isQuota;
  return (
    <div className={quota ? "alert alert-quota" : "alert alert-error"} role="alert">
      {quota && <strong>Quota reached. </strong>}
      {messageOf(error)}
      {quota && (
        <>
          {" "}
          <Link to="/billing">See your plan and usage</Link>
        </>
      )}
    </div>
  );
}

export function Note({ children, tone = "info" }: { children: ReactNode; tone?: "info" | "success" | "warning" }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}
