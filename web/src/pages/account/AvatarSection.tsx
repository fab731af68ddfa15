/**
 * The avatar: shown from a blob (GET /api/account/avatar needs the Authorization header, which an
 * <img> cannot send), replaced after a preview, or removed.
 */
import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";

import { call } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorMessage, Note } from "../../components/Alert";
import { AVATAR_RULES, AVATAR_TYPES, avatarProblem } from "./avatarRules";
import { fetchAvatar } from "./request";
import type { AccountProfile } from "./types";

interface Chosen {
  file: File;
  preview: string;
}

function initials(profile: AccountProfile | null): string {
  const letters = [profile?.first_name, profile?.last_name].map((name) => name?.trim()[0] ?? "").join("");
  return (letters || profile?.email[0] || "?").toUpperCase();
}

/** The stored avatar as an object URL (revoked when it changes), or null when there is none. */
function useStoredAvatar(hasAvatar: boolean, version: number): { url: string | null; error: unknown } {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setError(null);
    if (!hasAvatar) {
      setUrl(null);
      return;
    }
    const controller = new AbortController();
    let created: string | null = null;
    fetchAvatar(controller.signal)
      .then(({ blob }) => {
        created = URL.createObjectURL(blob);
        setUrl(created);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(caught);
      });
    return () => {
      controller.abort();
      if (created) URL.revokeObjectURL(created);
    };
  }, [hasAvatar, version]);
  return { url, error };
}

export function AvatarSection() {
  const session = useSession();
  const profile = session.profile as AccountProfile | null;
  const [version, setVersion] = useState(0);
  const stored = useStoredAvatar(Boolean(profile?.avatar_url), version);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hintId = `${inputId}-hint`;

  // The preview's object URL lives exactly as long as the choice.
  useEffect(() => () => {
    if (chosen) URL.revokeObjectURL(chosen.preview);
  }, [chosen]);

  function onChoose(event: ChangeEvent<HTMLInputElement>): void {
    const file = event.target.files?.[0];
    setError(null);
    setMessage(null);
    setChosen(null);
    if (!file) return;
    const why = avatarProblem(file);
    setProblem(why);
    if (why) {
      event.target.value = "";
      return;
    }
    setChosen({ file, preview: URL.createObjectURL(file) });
  }

  function clearChoice(): void {
    setChosen(null);
    if (picker.current) picker.current.value = "";
  }

  async function upload(): Promise<void> {
    if (!chosen) return;
    const form = new FormData();
    form.append("avatar", chosen.file, chosen.file.name);
    setBusy(true);
    setError(null);
    try {
      await call("put", "/api/account/avatar", { body: form });
      await session.reloadProfile();
      setVersion((n) => n + 1);
      clearChoice();
      setMessage("Avatar saved.");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function remove(): Promise<void> {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await call("delete", "/api/account/avatar");
      await session.reloadProfile();
      setMessage("Avatar removed.");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="avatar-heading">
      <h2 id="avatar-heading">Avatar</h2>
      <div className="avatar-row">
        {stored.url ? (
          <img src={stored.url} alt="Your avatar" className="avatar" width={96} height={96} />
        ) : (
          <div className="avatar avatar-empty" aria-hidden="true">
            {initials(profile)}
          </div>
        )}
        <div className="avatar-controls">
          <div className="field">
            <label htmlFor={inputId}>Choose an image</label>
            <input
              ref={picker}
              id={inputId}
              type="file"
              accept={AVATAR_TYPES.join(",")}
              aria-describedby={hintId}
              onChange={onChoose}
              disabled={busy}
            />
            <small id={hintId} className="hint">
              {AVATAR_RULES}
            </small>
          </div>
          {chosen && (
            <figure className="avatar-preview">
              <img src={chosen.preview} alt={`Preview of ${chosen.file.name}`} className="avatar" width={96} height={96} />
              <figcaption>Preview of {chosen.file.name}; not saved yet.</figcaption>
            </figure>
          )}
          {problem && (
            <div className="alert alert-error" role="alert">
              {problem}
            </div>
          )}
          <ErrorMessage error={error ?? stored.error} />
          {message && <Note tone="success">{message}</Note>}
          <div className="button-row">
            {chosen && (
              <>
                <button type="button" onClick={upload} disabled={busy}>
                  {busy ? "Uploading…" : "Upload avatar"}
                </button>
                <button type="button" className="secondary-button" onClick={clearChoice} disabled={busy}>
                  Cancel
                </button>
              </>
            )}
            {!chosen && profile?.avatar_url && (
              <button type="button" className="secondary-button" onClick={remove} disabled={busy}>
                Remove avatar
              </button>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
