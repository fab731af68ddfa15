import { useState, type FormEvent } from "react";

import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { useSession } from "../../auth/session";
import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";
import { formatWhen } from "../../format";
import { navigate } from "../../router";
import "../account/account.css";
import { ApiTokens } from "../account/ApiTokens";
import { AvatarSection } from "../account/AvatarSection";
import { DataExport } from "../account/DataExport";
import { PasswordForm } from "../account/PasswordForm";
import { PreferencesForm } from "../account/PreferencesForm";
import { deviceName } from "./deviceName";

function ProfileForm() {
  const { profile, reloadProfile } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    setSaved(false);
    try {
      await call("patch", "/api/account/profile", {
        body: { first_name: String(form.get("first_name")), last_name: String(form.get("last_name")) },
      });
      await reloadProfile();
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  }

  if (!profile) return null;
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <p className="muted">Signed in as {profile.email}</p>
      <Field label="First name" name="first_name" defaultValue={profile.first_name ?? ""} required maxLength={100} />
      <Field label="Last name" name="last_name" defaultValue={profile.last_name ?? ""} required maxLength={100} />
      <ErrorMessage error={error} />
      {saved && <Note tone="success">Profile saved.</Note>}
      <button type="submit">Save profile</button>
    </form>
  );
}

function Sessions() {
  const list = useResource(async (signal) => (await call("get", "/api/auth/sessions", { signal })).sessions, []);
  const sessions = list.data;
  const [actionError, setActionError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const error = actionError ?? list.error;

  async function revoke(id: string): Promise<void> {
    try {
      await call("delete", "/api/auth/sessions/{session_id}", { params: { session_id: id } });
      await list.reload();
    } catch (caught) {
      setActionError(caught);
    }
  }

  async function revokeOthers(): Promise<void> {
    try {
      setMessage((await call("post", "/api/auth/sessions/revoke-others")).message);
      await list.reload();
    } catch (caught) {
      setActionError(caught);
    }
  }

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      <ErrorMessage error={error} />
      {message && <Note tone="success">{message}</Note>}
      {sessions && (
        <ul className="sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <span title={session.user_agent ?? undefined}>
                {deviceName(session.user_agent)}
                {session.ip ? ` · ${session.ip}` : ""} · last used {formatWhen(session.last_used_at)}
                {session.current && <strong> (this device)</strong>}
              </span>
              {!session.current && (
                <button type="button" onClick={() => revoke(session.id)}>
                  Sign out<span className="visually-hidden"> this session</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={revokeOthers}>
        Sign out everywhere else
      </button>
    </section>
  );
}

function DeleteAccount() {
  const { forget } = useSession();
  const [error, setError] = useState<unknown>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    try {
      const body = await call("delete", "/api/account", {
        body: { password: String(form.get("password")) },
      });
      forget();
      navigate(`/signin?notice=${encodeURIComponent(body.message)}`, { replace: true });
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <form className="card danger" onSubmit={onSubmit} aria-labelledby="delete-account-heading">
      <h2 id="delete-account-heading">Delete account</h2>
      <p>This erases your account, every sample and all analysis. It cannot be undone.</p>
      <Field label="Your password, to confirm" name="password" type="password" autoComplete="current-password" required />
      <ErrorMessage error={error} />
      <button type="submit" className="danger-button">
        Delete my account
      </button>
    </form>
  );
}

export function AccountPage() {
  // A password change signs the other sessions out: the list is read again.
  const [sessionsVersion, setSessionsVersion] = useState(0);
  return (
    <>
      <h1>Account</h1>
      <ProfileForm />
      <AvatarSection />
      <PreferencesForm />
      <DataExport />
      <PasswordForm onChanged={() => setSessionsVersion((n) => n + 1)} />
      <Sessions key={sessionsVersion} />
      <ApiTokens />
      <DeleteAccount />
    </>
  );
}
