/**
 * What a producer can do with the rows they ticked: add them to a collection or to a kit's free
 * pads, tag them, or delete them (after a confirmation). The API takes one sample per call for tags,
 * deletion and pads, so these go one after another and the bar says how far it got.
 */
import { useId, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import type { Sample } from "../../api/types";
import { useResource } from "../../api/useResource";
import { ErrorMessage, Note } from "../../components/Alert";
import { parseTags } from "../../format";
import { Link } from "../../router";
import { AddToCollection } from "../collections/AddToCollection";
import { BANKS, PAD_NUMBERS, defaultSettings, padLabel } from "../kits/grid";
import { assignPad, getKit } from "../kits/kitApi";
import type { PadRef } from "../kits/types";

interface Props {
  selected: Sample[];
  onClear: () => void;
  /** Rows changed or went away: read the page again. */
  onChanged: () => void;
}

/** The kit's empty pads in bank and pad order. */
function freePads(taken: Set<string>): PadRef[] {
  return BANKS.flatMap((bank) => PAD_NUMBERS.map((pad) => ({ bank, pad }))).filter((ref) => !taken.has(padLabel(ref)));
}

function AddToKit({ selected }: { selected: Sample[] }) {
  const id = useId();
  const { data: kits } = useResource(async (signal) => (await call("get", "/api/kits", { query: { limit: 100 }, signal })).kits, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ kitId: string; text: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const kitId = String(new FormData(event.currentTarget).get("kit_id") ?? "");
    if (!kitId) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const kit = await getKit(kitId);
      const free = freePads(new Set(kit.pads.map(padLabel)));
      const put = selected.slice(0, free.length);
      for (const [n, sample] of put.entries()) await assignPad(kitId, free[n], sample.id, defaultSettings(free[n].pad, sample.is_loop));
      const left = selected.length - put.length;
      const where = put.length ? ` on ${padLabel(free[0])}${put.length > 1 ? `–${padLabel(free[put.length - 1])}` : ""}` : "";
      setDone({
        kitId,
        text: `Put ${put.length} sample${put.length === 1 ? "" : "s"} on “${kit.name}”${where}.${left ? ` ${left} did not fit: the kit is full.` : ""}`,
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={onSubmit} aria-label="Add to kit">
      <div className="field">
        <label htmlFor={`${id}-kit`}>Add to kit (next free pads)</label>
        <select id={`${id}-kit`} name="kit_id" required defaultValue="">
          <option value="" disabled>
            {kits == null ? "Loading…" : kits.length ? "Choose a kit" : "No kits yet"}
          </option>
          {kits?.map((kit) => (
            <option key={kit.id} value={kit.id}>
              {kit.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={busy}>
        Add
      </button>
      <ErrorMessage error={error} />
      {done && (
        <Note tone="success">
          {done.text} <Link to={`/kits/${done.kitId}`}>Open the kit</Link>
        </Note>
      )}
    </form>
  );
}

export function BulkActions({ selected, onClear, onChanged }: Props) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const [confirming, setConfirming] = useState(false);
  const count = selected.length;
  const ids = selected.map((sample) => sample.id);

  async function each(work: (sample: Sample) => Promise<unknown>, said: (n: number) => string): Promise<void> {
    setBusy(true);
    setError(null);
    setDone("");
    let finished = 0;
    try {
      for (const sample of selected) {
        await work(sample);
        finished += 1;
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      if (finished) setDone(said(finished));
      onChanged();
    }
  }

  function onTag(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const tags = parseTags(String(new FormData(event.currentTarget).get("tags") ?? ""));
    if (tags.length === 0) return;
    void each(
      (sample) =>
        call("patch", "/api/samples/{sample_id}", {
          params: { sample_id: sample.id },
          body: { tags: [...new Set([...sample.tags, ...tags])] },
        }),
      (n) => `Tagged ${n} sample${n === 1 ? "" : "s"} “${tags.join(", ")}”.`,
    );
  }

  function onDelete(): void {
    setConfirming(false);
    void each(
      (sample) => call("delete", "/api/samples/{sample_id}", { params: { sample_id: sample.id } }),
      (n) => `Deleted ${n} sample${n === 1 ? "" : "s"}.`,
    ).then(onClear);
  }

  return (
    <section className="bulk-bar" aria-label="Selected samples">
      <p className="bulk-count">
        <strong>{count} selected</strong>{" "}
        <button type="button" className="link-button" onClick={onClear}>
          Clear selection
        </button>
      </p>
      {count > 0 && (
        <div className="bulk-actions">
          <AddToCollection sampleIds={ids} label="Add to collection" />
          <AddToKit selected={selected} />
          <form className="inline-form" onSubmit={onTag} aria-label="Tag selected">
            <div className="field">
              <label htmlFor={`${id}-tags`}>Add tags</label>
              <input id={`${id}-tags`} name="tags" placeholder="dusty, keep" />
            </div>
            <button type="submit" disabled={busy}>
              Tag
            </button>
          </form>
          <div className="inline-form">
            {confirming ? (
              <div role="group" aria-label="Confirm deletion">
                <p>
                  Delete {count} sample{count === 1 ? "" : "s"} and their audio for good?
                </p>
                <button type="button" className="danger-button" onClick={onDelete} disabled={busy}>
                  Yes, delete {count}
                </button>{" "}
                <button type="button" onClick={() => setConfirming(false)}>
                  Keep them
                </button>
              </div>
            ) : (
              <button type="button" className="danger-button" disabled={busy} onClick={() => setConfirming(true)}>
                Delete selected
              </button>
            )}
          </div>
        </div>
      )}
      <ErrorMessage error={error} />
      {done && <Note tone="success">{done}</Note>}
    </section>
  );
}
