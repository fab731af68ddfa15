/** Edit one assigned pad's settings: volume, pitch, gate, loop, one-shot and mute group. */
import { useState, type FormEvent } from "react";

import { padLabel, settingsOf } from "./grid";
import type { Pad, PadSettings } from "./types";

const MUTE_GROUPS = Array.from({ length: 17 }, (_, n) => n);

export function PadSettingsForm({
  pad,
  busy,
  onSave,
}: {
  pad: Pad;
  busy: boolean;
  onSave: (settings: PadSettings) => void;
}) {
  const [settings, setSettings] = useState<PadSettings>(() => settingsOf(pad));
  // The number fields keep what is typed, so clearing one to type anew does not snap to 0;
  // the form's min/max/required check them before they are sent.
  const [volume, setVolume] = useState(String(pad.volume));
  const [pitch, setPitch] = useState(String(pad.pitch));
  const id = `pad-${padLabel(pad)}`;

  function set<K extends keyof PadSettings>(name: K, value: PadSettings[K]): void {
    setSettings((current) => ({ ...current, [name]: value }));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    onSave({ ...settings, volume: Number(volume), pitch: Number(pitch) });
  }

  return (
    <form className="pad-settings" onSubmit={onSubmit} aria-label={`Settings of pad ${padLabel(pad)}`}>
      <div className="kit-form-row">
        <div className="field">
          <label htmlFor={`${id}-volume`}>Volume (0–127)</label>
          <input
            id={`${id}-volume`}
            type="number"
            min={0}
            max={127}
            required
            step={1}
            value={volume}
            onChange={(event) => setVolume(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pitch`}>Pitch (semitones)</label>
          <input
            id={`${id}-pitch`}
            type="number"
            min={-12}
            max={12}
            required
            step={1}
            value={pitch}
            onChange={(event) => setPitch(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-mute`}>Mute group</label>
          <select
            id={`${id}-mute`}
            value={settings.mute_group}
            onChange={(event) => set("mute_group", Number(event.target.value))}
          >
            {MUTE_GROUPS.map((group) => (
              <option key={group} value={group}>
                {group === 0 ? "None" : `Group ${group}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="kit-choice">
        <legend>Playback</legend>
        <label>
          <input type="checkbox" checked={settings.loop} onChange={(event) => set("loop", event.target.checked)} /> Loop
        </label>
        <label>
          <input type="checkbox" checked={settings.gate} onChange={(event) => set("gate", event.target.checked)} /> Gate
          (plays while held)
        </label>
        <label>
          <input
            type="checkbox"
            checked={settings.one_shot}
            onChange={(event) => set("one_shot", event.target.checked)}
          />{" "}
          One-shot
        </label>
      </fieldset>
      <button type="submit" disabled={busy}>
        Save pad settings
      </button>
    </form>
  );
}
