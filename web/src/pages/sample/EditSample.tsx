import { useState, type FormEvent } from "react";

import { call } from "../../api/client";
import type { SampleDetail } from "../../api/types";
import { ErrorMessage, Note } from "../../components/Alert";
import { parseTags } from "../../format";

export function EditSample({ sample, onSaved }: { sample: SampleDetail; onSaved: (s: SampleDetail) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const title = String(form.get("title") ?? "").trim();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const params = { sample_id: sample.id };
      await call("patch", "/api/samples/{sample_id}", {
        params,
        body: { ...(title ? { title } : {}), tags: parseTags(String(form.get("tags") ?? "")) },
      });
      onSaved(await call("get", "/api/samples/{sample_id}", { params }));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="card" aria-labelledby="edit-heading">
      <h2 id="edit-heading">Edit</h2>
      <div className="field">
        <label htmlFor="edit-title">Title</label>
        <input id="edit-title" name="title" defaultValue={sample.title ?? ""} maxLength={200} />
      </div>
      <div className="field">
        <label htmlFor="edit-tags">Tags (comma-separated)</label>
        <input id="edit-tags" name="tags" defaultValue={sample.tags.join(", ")} />
      </div>
      <ErrorMessage error={error} />
      {saved && <Note tone="success">Saved.</Note>}
      <button type="submit" disabled={busy}>
        Save changes
      </button>
    </form>
  );
}
