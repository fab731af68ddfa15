/** The selected pad: what it holds, its settings, and a button for everything a drag does
 * (assign from the library, move or swap to another pad), plus clear and "complete the bank". */
import { useState } from "react";

import { Link } from "../../router";
import { BANKS, PAD_NUMBERS, padLabel, roleName, roleOfPad, settingsOf, tempoAndKey } from "./grid";
import { PadSettingsForm } from "./PadSettingsForm";
import { Recommendations } from "./Recommendations";
import { TrimEditor } from "./TrimEditor";
import type { Bank, Pad, PadRef, PadSettings } from "./types";

export interface PadActions {
  assign: (target: PadRef, sampleId: string, title: string, isLoop: boolean | null) => void;
  move: (source: PadRef, target: PadRef) => void;
  clear: (ref: PadRef) => void;
  save: (pad: Pad, settings: PadSettings) => void;
  complete: (pad: Pad) => void;
  chooseFromLibrary: () => void;
}

function MoveForm({ pad, pads, busy, onMove }: { pad: Pad; pads: Map<string, Pad>; busy: boolean; onMove: (target: PadRef) => void }) {
  const [bank, setBank] = useState<Bank>(pad.bank);
  const [number, setNumber] = useState(pad.pad === 16 ? 15 : pad.pad + 1);
  const id = `move-${padLabel(pad)}`;
  const target = { bank, pad: number };
  const taken = pads.get(padLabel(target));
  const same = bank === pad.bank && number === pad.pad;

  return (
    <form
      className="move-form"
      aria-label={`Move pad ${padLabel(pad)}`}
      onSubmit={(event) => {
        event.preventDefault();
        if (!same) onMove(target);
      }}
    >
      <div className="kit-form-row">
        <div className="field">
          <label htmlFor={`${id}-bank`}>Move to bank</label>
          <select id={`${id}-bank`} value={bank} onChange={(event) => setBank(event.target.value as Bank)}>
            {BANKS.map((letter) => (
              <option key={letter}>{letter}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-pad`}>Move to pad</label>
          <select id={`${id}-pad`} value={number} onChange={(event) => setNumber(Number(event.target.value))}>
            {PAD_NUMBERS.map((n) => {
              const holder = pads.get(padLabel({ bank, pad: n }));
              return (
                <option key={n} value={n}>
                  {n} ({holder ? holder.sample.title || "taken" : roleName(roleOfPad(n)).toLowerCase()})
                </option>
              );
            })}
          </select>
        </div>
      </div>
      <button type="submit" disabled={busy || same}>
        {taken && !same ? `Swap with ${padLabel(target)}` : `Move to ${padLabel(target)}`}
      </button>
    </form>
  );
}

export function PadPanel({
  kitId,
  version,
  selected,
  pads,
  busy,
  actions,
}: {
  kitId: string;
  version: string;
  selected: PadRef;
  pads: Map<string, Pad>;
  busy: boolean;
  actions: PadActions;
}) {
  const label = padLabel(selected);
  const pad = pads.get(label);
  const role = roleName(roleOfPad(selected.pad));

  return (
    <section className="card pad-panel" aria-labelledby="pad-panel-heading">
      <h2 id="pad-panel-heading">
        Pad {label} <span className="muted">· {role}</span>
      </h2>
      {pad ? (
        <>
          <p>
            <Link to={`/samples/${pad.sample_id}`}>{pad.sample.title || "Untitled sample"}</Link>{" "}
            <span className="muted">{tempoAndKey(pad.sample.bpm, pad.sample.musical_key)}</span>
          </p>
          <PadSettingsForm
            key={`${label}-${pad.sample_id}-${version}`}
            pad={pad}
            busy={busy}
            onSave={(settings) => actions.save(pad, settings)}
          />
          <h3>Start and end</h3>
          <TrimEditor
            key={`trim-${label}-${pad.sample_id}-${version}`}
            pad={pad}
            busy={busy}
            onSave={(start, end) => actions.save(pad, { ...settingsOf(pad), start, end })}
          />
          <h3>Move or swap</h3>
          <MoveForm key={label} pad={pad} pads={pads} busy={busy} onMove={(target) => actions.move(pad, target)} />
          <div className="kit-actions">
            <button type="button" className="kit-secondary" disabled={busy} onClick={actions.chooseFromLibrary}>
              Replace from library…
            </button>
            <button type="button" className="kit-secondary" disabled={busy} onClick={() => actions.complete(pad)}>
              Complete bank {pad.bank} around this sample
            </button>
            <button type="button" className="danger-button" disabled={busy} onClick={() => actions.clear(pad)}>
              Clear pad {label}
            </button>
          </div>
        </>
      ) : (
        <>
          <p>This pad is empty. Drag a sample onto it, pick one of the suggestions, or choose from your library.</p>
          <button type="button" className="kit-secondary" onClick={actions.chooseFromLibrary}>
            Choose from library…
          </button>
        </>
      )}
      <Recommendations
        kitId={kitId}
        target={selected}
        version={version}
        busy={busy}
        onAssign={(sampleId, title, isLoop) => actions.assign(selected, sampleId, title, isLoop)}
      />
    </section>
  );
}
