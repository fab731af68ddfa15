/** The library beside the grid: search, then drag a sample onto a pad, or (keyboard and touch)
 * put it on a pad with its button: the selected pad, or with none selected the next empty one, so
 * a bank fills one click per sample. */
import { useState, type RefObject } from "react";

import { call } from "../../api/client";
import { pause } from "../../api/pause";
import { useResource } from "../../api/useResource";
import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { ErrorMessage } from "../../components/Alert";
import { formatDuration } from "../../format";
import { keyWithCamelot } from "../../music/keys";
import { padLabel, tempoAndKey } from "./grid";
import { startSampleDrag } from "./dragData";
import type { PadRef } from "./types";

const SEARCH_DELAY_MS = 250;

interface LibraryPanelProps {
  /** The pad a sample's button puts it on: the selected one, else the next empty one. */
  target: PadRef | null;
  /** Whether `target` is the selected pad (not the next empty one). */
  chosen: boolean;
  busy: boolean;
  /** Let go of the selected pad, so the buttons fill empty pads again. */
  onRelease: () => void;
  onAssign: (sampleId: string, title: string, isLoop: boolean | null) => void;
  /** The search box, focused by the pad panel's "Choose from library". */
  searchRef: RefObject<HTMLInputElement | null>;
}

export function LibraryPanel({ target: pad, chosen, busy, onRelease, onAssign, searchRef }: LibraryPanelProps) {
  const [text, setText] = useState("");
  const { data: page, error } = useResource(
    async (signal) => {
      // Typing waits a moment so that each key does not cost a request.
      if (text) await pause(SEARCH_DELAY_MS, signal);
      return call("get", "/api/samples", { query: { limit: 30, sort: "title", q: text.trim() || undefined }, signal });
    },
    [text],
  );

  const target = pad ? padLabel(pad) : null;
  return (
    <section className="card library-panel" aria-labelledby="library-panel-heading">
      <h2 id="library-panel-heading">Library</h2>
      <p className="muted" id="library-panel-help">
        Drag a sample onto a pad, or use its &ldquo;Put on&rdquo; button:{" "}
        {chosen
          ? `it goes on the selected pad, ${target}.`
          : target
            ? `it fills the next empty pad, ${target} (select a pad to choose one).`
            : "every pad of the kit is taken; select one to replace its sample."}
      </p>
      {chosen && (
        <button type="button" className="kit-small kit-secondary" onClick={onRelease}>
          Fill empty pads instead
        </button>
      )}
      <div className="field">
        <label htmlFor="kit-library-search">Search your samples</label>
        <input
          id="kit-library-search"
          ref={searchRef}
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="title, tag or vibe"
        />
      </div>
      <ErrorMessage error={error} />
      {page && page.samples.length === 0 && <p>No samples match.</p>}
      {page && page.samples.length > 0 && (
        <ul className="library-items" aria-label="Library samples" onKeyDown={onAuditionKeys}>
          {page.samples.map((sample) => {
            const title = sample.title || sample.filename;
            return (
              <li
                key={sample.id}
                className="library-item"
                draggable
                onDragStart={(event) => startSampleDrag(event, sample.id, title, sample.is_loop)}
                data-sample-id={sample.id}
                data-audition-row=""
              >
                <PlayButton sampleId={sample.id} title={title} loop={sample.is_loop} className="item-play" />
                <span className="library-title">{title}</span>
                <span className="pad-meta">
                  {tempoAndKey(sample.bpm, sample.musical_key ? keyWithCamelot(sample.musical_key, sample.camelot) : null)} ·{" "}
                  {formatDuration(sample.duration)}
                </span>
                <button
                  type="button"
                  className="kit-small"
                  disabled={!target || busy}
                  aria-describedby="library-panel-help"
                  aria-label={`${target ? `Put on ${target}` : "Put on pad"}: ${title}`}
                  onClick={() => onAssign(sample.id, title, sample.is_loop)}
                >
                  {target ? `Put on ${target}` : "Put on pad"}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {page && page.total > page.samples.length && (
        <p className="muted">
          Showing {page.samples.length} of {page.total}. Search to narrow the list.
        </p>
      )}
    </section>
  );
}
