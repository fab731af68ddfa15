/**
 * The frame around every page: skip link, navigation, the quota, pacing and profile banners, and
 * focus on navigation.
 */
import { useEffect, useRef, useState, type ReactNode } from "react";

import { onBusy, onQuotaExceeded } from "../api/client";
import { formatWait, messageOf, parseRetryAfter, type ApiError } from "../api/errors";
import { stopAll } from "../audio/player";
import { useSession } from "../auth/session";
import { Link, navigate, useLocation } from "../router";
import { HeaderAvatar } from "./HeaderAvatar";

const SIGNED_IN_LINKS = [
  { to: "/library", label: "Library" },
  { to: "/search", label: "Search" },
  { to: "/collections", label: "Collections" },
  { to: "/kits", label: "Kits" },
  { to: "/billing", label: "Plan & usage" },
  { to: "/account", label: "Account" },
];

export function Layout({ children }: { children: ReactNode }) {
  const { status, profile, profileProblem, signOut } = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const [quota, setQuota] = useState<ApiError | null>(null);
  const firstRender = useRef(true);

  const [busy, setBusy] = useState<{ error: ApiError; until: number } | null>(null);

  useEffect(() => onQuotaExceeded(setQuota), []);
  // Leaving a page silences what it played: its play buttons and pads are gone with it.
  useEffect(() => () => stopAll(), [path]);
  useEffect(
    () =>
      onBusy((error) => {
        const wait = parseRetryAfter(error.retryAfter) ?? 5000;
        setBusy((current) => {
          const until = Date.now() + wait;
          return current && current.until >= until ? current : { error, until };
        });
      }),
    [],
  );
  // The pacing note goes away by itself once the server's wait is over.
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => setBusy(null), Math.max(0, busy.until - Date.now()));
    return () => clearTimeout(timer);
  }, [busy]);
  useEffect(() => {
    if (status === "signed-out") {
      setQuota(null);
      setBusy(null);
    }
  }, [status]);

  // After client-side navigation, move focus to the new page's heading so screen readers
  // announce it and keyboard users start from the top, as they would after a full load.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = main.current?.querySelector("h1");
    if (heading instanceof HTMLElement) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [path]);

  function handleSignOut(): void {
    // Signed out here at once; the server hears of it in the background (never rejects).
    void signOut();
    navigate("/signin");
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={status === "signed-in" ? "/library" : "/"} className="brand">
          SP-404 Sample Cloud
        </Link>
        <nav aria-label="Main">
          <ul>
            {status === "signed-in" ? (
              <>
                {SIGNED_IN_LINKS.map((link) => (
                  <li key={link.to}>
                    <Link to={link.to} aria-current={path.startsWith(link.to) ? "page" : undefined}>
                      {link.label}
                    </Link>
                  </li>
                ))}
                <li className="header-user">
                  {profile && <HeaderAvatar profile={profile} />}
                  <button type="button" className="link-button" onClick={handleSignOut}>
                    Sign out{profile ? <span className="visually-hidden"> {profile.email}</span> : null}
                  </button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <Link to="/signin">Sign in</Link>
                </li>
                <li>
                  <Link to="/signup">Create account</Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      {busy && !quota && (
        <div className="alert alert-info banner" role="status">
          <strong>Taking a short break. </strong>
          The server asked the studio to slow down, so it waits {formatWait(busy.until - Date.now())} before asking
          again. Nothing you did is lost.
        </div>
      )}
      {status === "signed-in" && profileProblem != null && (
        <div className="alert alert-info banner" role="status">
          Your profile could not be loaded just now ({messageOf(profileProblem)}); the studio works as usual.
        </div>
      )}
      {quota && (
        <div className="alert alert-quota banner" role="alert">
          <strong>Quota reached. </strong>
          {quota.message} <Link to="/billing">See your plan and usage</Link>
          <button type="button" className="link-button" onClick={() => setQuota(null)}>
            Dismiss
          </button>
        </div>
      )}
      <main id="main" ref={main}>
        {children}
      </main>
    </>
  );
}
