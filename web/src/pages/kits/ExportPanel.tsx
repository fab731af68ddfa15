/** Export this kit: an IMPORT pack (audio per bank, PADMAP.txt, MIDI), a native project (beta),
 * or just its samples in folders; progress and downloads show in the list below. */
import { useState, type FormEvent } from "react";

import { ErrorMessage, Note } from "../../components/Alert";
import { startExport, type ConvertChoices, type ExportRequest } from "./kitApi";
import type { ExportKind, Kit, Organise } from "./types";

const KINDS: { kind: ExportKind; name: string; hint: string }[] = [
  {
    kind: "import_pack",
    name: "IMPORT pack",
    hint: "A folder per bank to copy into the SD card’s IMPORT folder, with PADMAP.txt and a MIDI file per bank.",
  },
  {
    kind: "native_project",
    name: "Native project (beta)",
    hint: "An SP-404MK2 project folder. Beta: not yet verified on the hardware.",
  },
  { kind: "samples", name: "Samples only", hint: "The kit’s samples as 48 kHz / 16-bit files, in folders you choose." },
];

const ORGANISE: { value: Organise; name: string }[] = [
  { value: "flat", name: "One folder" },
  { value: "bpm", name: "By BPM range" },
  { value: "key", name: "By key" },
  { value: "genre", name: "By genre" },
];

export function ExportPanel({ kit, onStarted }: { kit: Kit; onStarted: () => void }) {
  const [kind, setKind] = useState<ExportKind>("import_pack");
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const convert: ConvertChoices = {
      normalise: form.get("normalise") === "on",
      trim_silence: form.get("trim_silence") === "on",
      pad_short: form.get("pad_short") === "on",
    };
    const audioFormat = form.get("audio_format") === "aiff" ? "aiff" : "wav";
    const request: ExportRequest =
      kind === "samples"
        ? {
            kind,
            sample_ids: [...new Set(kit.pads.map((pad) => pad.sample_id))],
            organise: (form.get("organise") as Organise | null) ?? "flat",
            name: kit.name.slice(0, 60),
            audio_format: audioFormat,
            ...convert,
          }
        : // A native project's audio is always .SMP: "wav" is the API's default, which it ignores there.
          { kind, kit_id: kit.id, audio_format: kind === "import_pack" ? audioFormat : "wav", ...convert };
    setBusy(true);
    setError(null);
    setStarted(false);
    try {
      await startExport(request);
      setStarted(true);
      onStarted();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const empty = kit.pads.length === 0;
  return (
    <form className="card export-panel" onSubmit={onSubmit} aria-labelledby="export-heading">
      <h2 id="export-heading">Export for the SP-404MK2</h2>
      <fieldset className="kit-choice kit-choice-stacked">
        <legend>Format</legend>
        {KINDS.map((option) => (
          <div key={option.kind} className="export-kind">
            <label>
              <input
                type="radio"
                name="kind"
                value={option.kind}
                checked={kind === option.kind}
                onChange={() => setKind(option.kind)}
                aria-describedby={`export-hint-${option.kind}`}
              />{" "}
              {option.name}
            </label>
            <small id={`export-hint-${option.kind}`} className="hint">
              {option.hint}
            </small>
          </div>
        ))}
      </fieldset>
      <div className="kit-form-row">
        {kind !== "native_project" && (
          <div className="field">
            <label htmlFor="export-audio-format">Audio files</label>
            <select id="export-audio-format" name="audio_format" defaultValue="wav">
              <option value="wav">WAV</option>
              <option value="aiff">AIFF</option>
            </select>
          </div>
        )}
        {kind === "samples" && (
          <div className="field">
            <label htmlFor="export-organise">Folders</label>
            <select id="export-organise" name="organise" defaultValue="flat">
              {ORGANISE.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <fieldset className="kit-choice">
        <legend>Audio clean-up</legend>
        <label>
          <input type="checkbox" name="normalise" /> Normalise peaks
        </label>
        <label>
          <input type="checkbox" name="trim_silence" /> Trim silence
        </label>
        <label>
          <input type="checkbox" name="pad_short" /> Pad very short clips
        </label>
      </fieldset>
      <ErrorMessage error={error} />
      {started && <Note tone="success">Export started. Its progress shows under “Your exports” below.</Note>}
      {empty && <p className="muted">Put a sample on a pad first: an empty kit has nothing to export.</p>}
      <button type="submit" disabled={busy || empty}>
        Start export
      </button>
    </form>
  );
}
