/**
 * API access: personal access tokens for scripts. The whole token is shown once, right after it
 * is made, with a Copy button and a curl line to try it; afterwards only its prefix is listed.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";

import { ErrorMessage, Note } from "../../components/Alert";
import { Field } from "../../components/Field";
import { formatWhen } from "../../format";
import { ConfirmDialog } from "../billing/ConfirmDialog";
import {
  curlLine,
  EXPIRY_CHOICES,
  NAME_MAX,
  newTokenFrom,
  SCOPES,
  shownPrefix,
  tokensApi,
  type CreatedToken,
  type PersonalToken,
} from "./tokens";

function NewTokenShown({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser did not allow copying; select the token and copy it by hand.");
    }
  }

  return (
    <div className="alert alert-success new-token" role="status" aria-label="Your new token">
      <p>
        <strong>Copy your new token “{created.name}” now.</strong> It is shown only this once; afterwards only its
        beginning is listed.
      </p>
      <code className="token-secret" data-testid="new-token">
        {created.token}
      </code>
      <div className="button-row">
        <button type="button" onClick={() => void copy()}>
          Copy token
        </button>
        <button type="button" className="secondary-button" onClick={onDone}>
          Done, hide it
        </button>
      </div>
      {copied && <p>{copied}</p>}
      <p>Try it:</p>
      <code className="token-secret" data-testid="token-curl">
        {curlLine(created.token, location.origin)}
      </code>
    </div>
  );
}

function TokenRow({ token, onRevoke }: { token: PersonalToken; onRevoke: (token: PersonalToken) => void }) {
  return (
    <li className="token-row">
      <span>
        <strong>{token.name}</strong> · <code>{shownPrefix(token.prefix)}</code>
      </span>
      <span className="muted">
        {token.scopes.join(", ")} · created {formatWhen(token.created_at)} · last used{" "}
        {token.last_used_at ? formatWhen(token.last_used_at) : "never"} · expires{" "}
        {token.expires_at ? formatWhen(token.expires_at) : "never"}
      </span>
      <button type="button" className="secondary-button" onClick={() => onRevoke(token)}>
        Revoke<span className="visually-hidden"> {token.name}</span>
      </button>
    </li>
  );
}

export function ApiTokens() {
  const [tokens, setTokens] = useState<PersonalToken[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<PersonalToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const expiryId = useId();

  const load = useCallback(async () => {
    try {
      setTokens((await tokensApi.list()).tokens);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function onCreate(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(null);
    setNotice(null);
    const body = newTokenFrom(
      String(form.get("name") ?? ""),
      form.getAll("scopes").map(String),
      String(form.get("expiry") ?? ""),
    );
    if (typeof body === "string") {
      setError(new Error(body));
      return;
    }
    setBusy(true);
    try {
      const answer = await tokensApi.create(body);
      setCreated(answer);
      const { token: _secret, ...listed } = answer;
      setTokens((all) => [listed, ...(all ?? []).filter((row) => row.id !== answer.id)]);
      formElement.reset();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: PersonalToken): Promise<void> {
    setRevoking(null);
    setError(null);
    try {
      await tokensApi.revoke(token.id);
      setTokens((all) => (all ?? []).filter((row) => row.id !== token.id));
      if (created?.id === token.id) setCreated(null);
      setNotice(`Revoked “${token.name}”: it stops working at once.`);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section className="card" aria-labelledby="api-access-heading">
      <h2 id="api-access-heading">API access</h2>
      <p>
        Personal access tokens let your own scripts use the API with <code>Authorization: Bearer …</code>. Your
        plan's daily API-call quota (Free 100 a day, Pro 10,000 a day, Enterprise unlimited) counts the requests made
        with these tokens, not the ones this web app makes for you.
      </p>
      {created && <NewTokenShown created={created} onDone={() => setCreated(null)} />}
      {notice && <Note tone="success">{notice}</Note>}
      <ErrorMessage error={error} />
      {tokens && tokens.length === 0 && <p className="muted">You have no personal access tokens.</p>}
      {tokens && tokens.length > 0 && (
        <ul className="tokens" aria-label="Personal access tokens">
          {tokens.map((token) => (
            <TokenRow key={token.id} token={token} onRevoke={setRevoking} />
          ))}
        </ul>
      )}
      <form onSubmit={onCreate} aria-labelledby="new-token-heading">
        <h3 id="new-token-heading">New token</h3>
        <Field label="Token name" name="name" required maxLength={NAME_MAX} placeholder="my sync script" />
        <fieldset>
          <legend>What it may do</legend>
          {SCOPES.map((scope) => (
            <div className="check" key={scope.id}>
              <input type="checkbox" id={`scope-${scope.id}`} name="scopes" value={scope.id} defaultChecked={scope.id === "library:read"} />
              <label htmlFor={`scope-${scope.id}`}>
                {scope.label} <code>{scope.id}</code>
                <span className="hint muted">{scope.hint}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={expiryId}>Expires after</label>
          <select id={expiryId} name="expiry" defaultValue="90">
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.days ?? "never"}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </form>
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke token"
          cancelLabel="Keep it"
          danger
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          Scripts using it are refused from now on. This cannot be undone.
        </ConfirmDialog>
      )}
    </section>
  );
}
