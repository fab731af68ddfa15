/**
 * Tempo, key and loop/one-shot as the producer says they are. Each correction is what lists,
 * filters, kits and exports use from then on; what the analysis found stays beside it, with a way
 * back to it ("detected 46 BPM, you set 92 BPM · Use detected").
 */
import { useState, type FormEvent } from "react";

import { call } from "../../api/client";
import type { SampleDetail } from "../../api/types";
import { ErrorMessage, Note } from "../../components/Alert";
import { KEYS, detectedKeyText, formatBpm, keyIsUnsure, keyWithCamelot, scaleTempo } from "../../music/keys";

type Field = "bpm" | "musical_key" | "is_loop";
type Update = { bpm?: number | null; musical_key?: string | null; is_loop?: boolean; reset?: Field[] };

const NO_KEY = "none";

function kindText(loop: boolean | null | undefined): string {
  return loop == null ? "not known" : loop ? "loop" : "one-shot";
}

/** "detected 46 BPM, you set 92 BPM", or just what the analysis found. */
function Beside({ corrected, detected, current }: { corrected: boolean; detected: string | null; current: string }) {
  if (detected == null) return <span className="muted">not analysed yet</span>;
  if (!corrected) return <span className="muted">detected</span>;
  return (
    <span className="correction-note">
      detected {detected}, you set {current}
    </span>
  );
}

export function Corrections({ sample, onSaved }: { sample: SampleDetail; onSaved: (s: SampleDetail) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);
  const detected = sample.detected;
  const corrected = new Set(sample.corrected);

  async function save(update: Update, said: string): Promise<void> {
    setBusy(true);
    setError(null);
    setSaved("");
    try {
      onSaved(await call("patch", "/api/samples/{sample_id}", { params: { sample_id: sample.id }, body: update }));
      setSaved(said);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const update: Update = {};
    const bpmText = String(form.get("bpm") ?? "").trim();
    const bpm = bpmText ? Number(bpmText) : null;
    if (bpm !== (sample.bpm ?? null)) update.bpm = bpm;
    const keyChoice = String(form.get("musical_key") ?? NO_KEY);
    const key = keyChoice === NO_KEY ? null : keyChoice;
    if (key !== (sample.musical_key ?? null)) update.musical_key = key;
    const kind = String(form.get("kind") ?? "");
    if (kind && (kind === "loop") !== sample.is_loop) update.is_loop = kind === "loop";
    if (Object.keys(update).length === 0) {
      setSaved("Nothing changed.");
      return;
    }
    void save(update, "Corrections saved.");
  }

  const bpm = sample.bpm ?? null;
  const half = bpm != null ? scaleTempo(bpm, 0.5) : null;
  const double = bpm != null ? scaleTempo(bpm, 2) : null;
  // Remount the inputs whenever the stored values change (a half/double press, a reset).
  const version = `${bpm}|${sample.musical_key}|${sample.is_loop}`;
  return (
    <form onSubmit={onSubmit} className="card corrections" aria-labelledby="corrections-heading" key={version}>
      <h2 id="corrections-heading">Tempo, key and kind</h2>
      <p className="muted">
        Set what the analysis got wrong. Your value is used everywhere (lists, filters, kits, exports) and re-analysis
        keeps it.
      </p>
      <div className="correction-row">
        <div className="field">
          <label htmlFor="correct-bpm">Tempo (BPM)</label>
          <input id="correct-bpm" name="bpm" type="number" min={20} max={400} step="any" defaultValue={bpm ?? ""} placeholder="no tempo" />
        </div>
        <div className="correction-actions">
          <button type="button" disabled={busy || half == null} onClick={() => half != null && void save({ bpm: half }, `Tempo set to ${formatBpm(half)}.`)}>
            Half time
          </button>
          <button type="button" disabled={busy || double == null} onClick={() => double != null && void save({ bpm: double }, `Tempo set to ${formatBpm(double)}.`)}>
            Double time
          </button>
          {corrected.has("bpm") && (
            <button type="button" disabled={busy} onClick={() => void save({ reset: ["bpm"] }, "Tempo back to the detected value.")}>
              Use detected tempo
            </button>
          )}
        </div>
        <p className="correction-state" data-field="bpm">
          <Beside corrected={corrected.has("bpm")} detected={detected ? formatBpm(detected.bpm) : null} current={formatBpm(bpm)} />
        </p>
      </div>
      <div className="correction-row">
        <div className="field">
          <label htmlFor="correct-key">Key</label>
          <select id="correct-key" name="musical_key" defaultValue={sample.musical_key ?? NO_KEY}>
            <option value={NO_KEY}>No key (unpitched)</option>
            {KEYS.map((key) => (
              <option key={key}>{key}</option>
            ))}
          </select>
        </div>
        <div className="correction-actions">
          {corrected.has("musical_key") && (
            <button type="button" disabled={busy} onClick={() => void save({ reset: ["musical_key"] }, "Key back to the detected value.")}>
              Use detected key
            </button>
          )}
        </div>
        <p className="correction-state" data-field="musical_key">
          <Beside
            corrected={corrected.has("musical_key")}
            detected={detected ? detectedKeyText(detected) : null}
            current={keyWithCamelot(sample.musical_key, sample.camelot)}
          />
          {!corrected.has("musical_key") && keyIsUnsure(detected) && detected && (
            <span className="unsure"> · the analysis is unsure: {detectedKeyText(detected)}</span>
          )}
        </p>
      </div>
      <fieldset className="correction-row">
        <legend>Kind</legend>
        <label>
          <input type="radio" name="kind" value="loop" defaultChecked={sample.is_loop === true} /> Loop
        </label>{" "}
        <label>
          <input type="radio" name="kind" value="one-shot" defaultChecked={sample.is_loop === false} /> One-shot
        </label>
        <div className="correction-actions">
          {corrected.has("is_loop") && (
            <button type="button" disabled={busy} onClick={() => void save({ reset: ["is_loop"] }, "Kind back to the detected value.")}>
              Use detected kind
            </button>
          )}
        </div>
        <p className="correction-state" data-field="is_loop">
          <Beside corrected={corrected.has("is_loop")} detected={detected ? kindText(detected.is_loop) : null} current={kindText(sample.is_loop)} />
        </p>
      </fieldset>
      <ErrorMessage error={error} />
      {saved && <Note tone="success">{saved}</Note>}
      <button type="submit" disabled={busy}>
        Save tempo, key and kind
      </button>
    </form>
  );
}
