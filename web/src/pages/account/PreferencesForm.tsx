/** Preferences: automatic analysis, the vibe model and e-mail notices (GET/PATCH /api/account/preferences). */
import { useId, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { ErrorMessage, Note } from "../../components/Alert";

const DEFAULT_MODEL = "qwen/qwen3-7b-it";
// The API's own rule for a model id (platform/accounts/schemas.py: ModelName).
const MODEL_PATTERN = "[A-Za-z0-9._:/\\-]{1,100}";

function Check({ name, label, hint, defaultChecked }: { name: string; label: string; hint: string; defaultChecked: boolean }) {
  const id = useId();
  return (
    <div className="check">
      <input id={id} type="checkbox" name={name} defaultChecked={defaultChecked} aria-describedby={`${id}-hint`} />
      <label htmlFor={id}>
        {label}
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      </label>
    </div>
  );
}

export function PreferencesForm() {
  const loaded = useResource((signal) => call("get", "/api/account/preferences", { signal }), []);
  const preferences = loaded.data;
  const [saveError, setError] = useState<unknown>(null);
  const error = saveError ?? loaded.error;
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const modelId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      loaded.setData(
        await call("patch", "/api/account/preferences", {
          body: {
            auto_analyze_enabled: form.get("auto_analyze_enabled") === "on",
            selected_model: String(form.get("selected_model") ?? "").trim() || DEFAULT_MODEL,
            notification_email_enabled: form.get("notification_email_enabled") === "on",
          },
        }),
      );
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="preferences-heading">
      <h2 id="preferences-heading">Preferences</h2>
      {!preferences && !error && <p role="status">Loading preferences…</p>}
      {preferences && (
        // key= refills the uncontrolled inputs with what the server saved.
        <form
          key={JSON.stringify(preferences)}
          onSubmit={onSubmit}
          onChange={() => setSaved(false)}
          aria-labelledby="preferences-heading"
        >
          <Check
            name="auto_analyze_enabled"
            label="Analyse new uploads automatically"
            hint="Off: uploads are only stored; start an analysis from the sample's page when you want one."
            defaultChecked={preferences.auto_analyze_enabled}
          />
          <div className="field">
            <label htmlFor={modelId}>Vibe model</label>
            <input
              id={modelId}
              name="selected_model"
              defaultValue={preferences.selected_model}
              list={`${modelId}-list`}
              pattern={MODEL_PATTERN}
              maxLength={100}
              required
              aria-describedby={`${modelId}-hint`}
            />
            <datalist id={`${modelId}-list`}>
              <option value={DEFAULT_MODEL} />
            </datalist>
            <small id={`${modelId}-hint`} className="hint">
              The model that describes how each sample sounds (an OpenRouter model id; default {DEFAULT_MODEL}).
              Without a model service the built-in rules describe it.
            </small>
          </div>
          <Check
            name="notification_email_enabled"
            label="E-mail notices"
            hint="An e-mail when you pass 80 % of a plan limit."
            defaultChecked={preferences.notification_email_enabled}
          />
          <ErrorMessage error={error} />
          {saved && <Note tone="success">Preferences saved.</Note>}
          <button type="submit" disabled={busy}>
            Save preferences
          </button>
        </form>
      )}
      {!preferences && <ErrorMessage error={error} />}
    </section>
  );
}
