/** Pick samples from the library (with a search box) and add them to a hand-picked collection. */
import { useId, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { ErrorMessage, Note } from "../../components/Alert";
import { addSamples } from "./api";
import { SampleFacts } from "./SampleFacts";
import type { AddedSamples } from "./types";

const PICK_LIMIT = 20;


interface Props {
  collectionId: string;
  /** Samples known to be here already (the page of members on screen). */
  present: Set<string>;
  onAdded: () => void;
}

export function AddSamples({ collectionId, present, onAdded }: Props) {
  const id = useId();
  const [search, setSearch] = useState("");
  const [asked, setAsked] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [addError, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<AddedSamples | null>(null);
  const [busy, setBusy] = useState(false);

  // The newest samples first; a search replaces them. Searching waits for the button (or
  // Enter) rather than every key, since each request counts against the plan's daily calls.
  const found = useResource(
    (signal) => call("get", "/api/samples", { query: { limit: PICK_LIMIT, q: asked || undefined }, signal }),
    [asked],
  );
  const page = found.data;
  const error = addError ?? found.error;

  function onSearch(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const text = search.trim();
    if (text === asked) void found.reload();
    else setAsked(text);
  }

  function toggle(sampleId: string, on: boolean): void {
    setChosen((current) => (on ? [...current, sampleId] : current.filter((chosenId) => chosenId !== sampleId)));
  }

  async function onAdd(): Promise<void> {
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      setAdded(await addSamples(collectionId, chosen));
      setChosen([]);
      onAdded();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add samples</h2>
      <form role="search" className="inline-search" onSubmit={onSearch} aria-label="Find samples to add">
        <div className="field">
          <label htmlFor={`${id}-q`}>Find in your library</label>
          <input
            id={`${id}-q`}
            type="search"
            value={search}
            placeholder="title, tag or vibe"
            maxLength={100}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        <button type="submit">Search</button>
      </form>
      {page && page.samples.length === 0 && <p>No samples match. Upload some in the library first.</p>}
      {page && page.samples.length > 0 && (
        <fieldset className="pick-list">
          <legend>Choose samples{page.total > page.samples.length ? ` (newest ${page.samples.length} of ${page.total})` : ""}</legend>
          {page.samples.map((sample) => {
            const here = present.has(sample.id);
            return (
              <label key={sample.id} className="pick">
                <input
                  type="checkbox"
                  checked={here || chosen.includes(sample.id)}
                  disabled={here}
                  onChange={(event) => toggle(sample.id, event.target.checked)}
                />
                <span className="sample-title">{sample.title || sample.filename}</span>
                <SampleFacts sample={sample} />
                {here && <span className="muted">in this collection</span>}
              </label>
            );
          })}
        </fieldset>
      )}
      <ErrorMessage error={error} />
      {added && (
        <Note tone="success">
          Added {added.added} sample{added.added === 1 ? "" : "s"}
          {added.already_present > 0 && ` (${added.already_present} already here)`}.
        </Note>
      )}
      <button type="button" disabled={busy || chosen.length === 0} onClick={onAdd}>
        {chosen.length ? `Add ${chosen.length} selected` : "Add selected"}
      </button>
    </section>
  );
}
