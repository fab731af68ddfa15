/** A kit's name, tempo and key; recommendations and "complete" follow the tempo and key. */
import { useState, type FormEvent } from "react";

import { ErrorMessage } from "../../components/Alert";
import { KEYS } from "../library/filters";
import { updateKit } from "./kitApi";
import type { Kit } from "./types";

export function KitSettingsForm({ kit, onSaved }: { kit: Kit; onSaved: (kit: Kit) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const bpm = String(form.get("bpm") ?? "").trim();
    const key = String(form.get("musical_key") ?? "");
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await updateKit(kit.id, {
          name: String(form.get("name") ?? "").trim(),
          bpm: bpm ? Number(bpm) : null,
          musical_key: key || null,
        }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="card kit-settings">
      <summary>Kit name, tempo and key</summary>
      <form onSubmit={onSubmit}>
        <div className="kit-form-row">
          <div className="field">
            <label htmlFor="kit-name">Kit name</label>
            <input id="kit-name" name="name" defaultValue={kit.name} required maxLength={100} />
          </div>
          <div className="field">
            <label htmlFor="kit-bpm">BPM</label>
            <input
              id="kit-bpm"
              name="bpm"
              type="number"
              min={40}
              max={300}
              step="any"
              defaultValue={kit.bpm ?? ""}
            />
          </div>
          <div className="field">
            <label htmlFor="kit-key">Key</label>
            <select id="kit-key" name="musical_key" defaultValue={kit.musical_key ?? ""}>
              <option value="">No key</option>
              {/* A key the engine derived may be spelt with a flat; keep it choosable. */}
              {kit.musical_key && !KEYS.includes(kit.musical_key) && <option>{kit.musical_key}</option>}
              {KEYS.map((key) => (
                <option key={key}>{key}</option>
              ))}
            </select>
          </div>
        </div>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Save kit
        </button>
      </form>
    </details>
  );
}
