/** One bank's 4 × 4 pads, laid out like the sampler; pads are drop targets for library samples
 * and for other pads, and each is a button that selects it for the keyboard alternatives. */
import { useState, type DragEvent } from "react";

import { HARDWARE_ROWS, padLabel, roleName, roleOfPad, samePad, tempoAndKey } from "./grid";
import { acceptsDrag, readDrop, startPadDrag, type Dropped } from "./dragData";
import type { Bank, Pad, PadRef } from "./types";

function settingsSummary(pad: Pad): string {
  const parts = [`Vol ${pad.volume}`];
  if (pad.pitch) parts.push(`${pad.pitch > 0 ? "+" : ""}${pad.pitch} st`);
  if (pad.loop) parts.push("Loop");
  if (pad.gate) parts.push("Gate");
  if (pad.one_shot) parts.push("One-shot");
  if (pad.mute_group) parts.push(`Mute ${pad.mute_group}`);
  return parts.join(" · ");
}

interface PadCellProps {
  bank: Bank;
  number: number;
  pad: Pad | undefined;
  selected: boolean;
  onSelect: (ref: PadRef) => void;
  onDrop: (target: PadRef, dropped: Dropped) => void;
}

function PadCell({ bank, number, pad, selected, onSelect, onDrop }: PadCellProps) {
  const [over, setOver] = useState(false);
  const ref = { bank, pad: number };
  const label = padLabel(ref);
  const role = roleName(roleOfPad(number));
  const title = pad ? pad.sample.title || "Untitled sample" : null;

  function onDragOver(event: DragEvent<HTMLDivElement>): void {
    if (!acceptsDrag(event)) return;
    event.preventDefault();
    setOver(true);
  }

  function onDropHere(event: DragEvent<HTMLDivElement>): void {
    event.preventDefault();
    setOver(false);
    const dropped = readDrop(event);
    if (dropped && !("pad" in dropped && samePad(dropped.pad, ref))) onDrop(ref, dropped);
  }

  const classes = ["pad", pad ? "pad-assigned" : "pad-empty", selected ? "pad-selected" : "", over ? "pad-over" : ""];
  return (
    <div
      className={classes.filter(Boolean).join(" ")}
      data-pad={label}
      draggable={pad != null}
      onDragStart={pad ? (event) => startPadDrag(event, ref) : undefined}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDropHere}
    >
      <button
        type="button"
        className="pad-button"
        aria-pressed={selected}
        aria-label={`Pad ${label}, ${role}: ${title ?? "empty"}`}
        onClick={() => onSelect(ref)}
      >
        <span className="pad-head">
          <span className="pad-number">{number}</span>
          <span className="pad-role">{role}</span>
        </span>
        {pad ? (
          <>
            <span className="pad-title">{title}</span>
            <span className="pad-meta">{tempoAndKey(pad.sample.bpm, pad.sample.musical_key)}</span>
            <span className="pad-meta">{settingsSummary(pad)}</span>
          </>
        ) : (
          <span className="pad-placeholder">Empty</span>
        )}
      </button>
    </div>
  );
}

export interface PadGridProps {
  bank: Bank;
  pads: Map<string, Pad>;
  selected: PadRef | null;
  onSelect: (ref: PadRef) => void;
  onDrop: (target: PadRef, dropped: Dropped) => void;
}

export function PadGrid({ bank, pads, selected, onSelect, onDrop }: PadGridProps) {
  return (
    <div className="pad-grid" role="group" aria-label={`Pads of bank ${bank}`}>
      {HARDWARE_ROWS.flat().map((number) => (
        <PadCell
          key={`${bank}-${number}`}
          bank={bank}
          number={number}
          pad={pads.get(padLabel({ bank, pad: number }))}
          selected={samePad(selected, { bank, pad: number })}
          onSelect={onSelect}
          onDrop={onDrop}
        />
      ))}
    </div>
  );
}
