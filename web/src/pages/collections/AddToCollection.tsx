/**
 * Put one sample or a selection into a collection the producer picks (smart collections fill
 * themselves from their rules, so they are not offered).
 */
import { useId, useState, type FormEvent } from "react";

import { useResource } from "../../api/useResource";
import { ErrorMessage, Note } from "../../components/Alert";
import { Link } from "../../router";
import { addSamples, listCollections } from "./api";

export function AddToCollection({ sampleIds, label = "Add to collection" }: { sampleIds: string[]; label?: string }) {
  const id = useId();
  const { data, error: listError } = useResource(async (signal) => (await listCollections({ signal })).collections, []);
  const choices = (data ?? []).filter((collection) => !collection.is_smart);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const chosen = String(new FormData(event.currentTarget).get("collection_id") ?? "");
    const target = choices.find((collection) => collection.id === chosen);
    if (!target || sampleIds.length === 0) return;
    setBusy(true);
    setError(null);
    setDone("");
    try {
      const added = await addSamples(target.id, sampleIds);
      const already = added.already_present ? ` (${added.already_present} already there)` : "";
      setDone(`Added ${added.added} to “${target.name}”${already}.`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={onSubmit} aria-label={label}>
      <div className="field">
        <label htmlFor={`${id}-collection`}>{label}</label>
        <select id={`${id}-collection`} name="collection_id" required defaultValue="">
          <option value="" disabled>
            {data == null && !listError ? "Loading…" : choices.length ? "Choose a collection" : "No collections yet"}
          </option>
          {choices.map((collection) => (
            <option key={collection.id} value={collection.id}>
              {/* Top-level collections have depth 1: only those below them are indented. */}
              {"\u00a0\u00a0".repeat(Math.max(0, (collection.depth ?? 1) - 1))}
              {collection.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={busy || sampleIds.length === 0}>
        Add
      </button>
      {data != null && choices.length === 0 && (
        <p className="muted">
          <Link to="/collections">Make a collection</Link> first.
        </p>
      )}
      <ErrorMessage error={listError ?? error} />
      {done && <Note tone="success">{done}</Note>}
    </form>
  );
}
