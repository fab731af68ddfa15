/** One bank's 4 × 4 pads, laid out like the sampler; pads are drop targets for library samples
 * and for other pads, and each is a button that plays the pad and selects it for the keyboard
 * alternatives. The grid is one tab stop: the arrow keys move between its pads (roving tabindex). */
import { useRef, useState, type DragEvent, type KeyboardEvent, type PointerEvent } from "react";

import { usePlaying } from "../../audio/useAudio";
import { HARDWARE_ROWS, padLabel, roleName, roleOfPad, samePad, tempoAndKey } from "./grid";
import { keyOfPad, pressPad, releasePad } from "./padAudio";
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
  /** The grid's one tab stop. */
  focusable: boolean;
  onSelect: (ref: PadRef) => void;
  onDrop: (target: PadRef, dropped: Dropped) => void;
  onFocusPad: (number: number) => void;
}

function PadCell({ bank, number, pad, selected, focusable, onSelect, onDrop, onFocusPad }: PadCellProps) {
  const [over, setOver] = useState(false);
  const held = useRef(false);
  const ref = { bank, pad: number };
  const label = padLabel(ref);
  const sounding = usePlaying(label);
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

  function press(event: { timeStamp: number }): void {
    if (!pad || held.current) return;
    held.current = true;
    pressPad(pad, event.timeStamp || performance.now());
  }

  function release(): void {
    if (!held.current) return;
    held.current = false;
    if (pad) releasePad(pad);
  }

  function onPointerDown(event: PointerEvent<HTMLButtonElement>): void {
    if (event.button !== 0) return;
    press(event);
  }

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>): void {
    if ((event.key === "Enter" || event.key === " ") && !event.repeat) press(event);
  }

  function onKeyUp(event: KeyboardEvent<HTMLButtonElement>): void {
    if (event.key === "Enter" || event.key === " ") release();
  }

  const classes = [
    "pad",
    pad ? "pad-assigned" : "pad-empty",
    selected ? "pad-selected" : "",
    over ? "pad-over" : "",
    sounding ? "pad-sounding" : "",
  ];
  return (
    <div
      className={classes.filter(Boolean).join(" ")}
      data-pad={label}
      data-sounding={sounding ? "true" : "false"}
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
        aria-describedby={pad ? `pad-${label}-meta` : undefined}
        aria-keyshortcuts={keyOfPad(number)}
        tabIndex={focusable ? 0 : -1}
        data-pad-button={number}
        onClick={() => onSelect(ref)}
        onFocus={() => onFocusPad(number)}
        onPointerDown={onPointerDown}
        onPointerUp={release}
        onPointerLeave={release}
        onPointerCancel={release}
        onKeyDown={onKeyDown}
        onKeyUp={onKeyUp}
        onBlur={release}
      >
        {/* The name is the hidden sentence; the face is for the eye, its details the description. */}
        <span className="visually-hidden">{`Pad ${label}, ${role}: ${title ?? "empty"}`}</span>
        <span className="pad-face" aria-hidden="true">
          <span className="pad-head">
            <span className="pad-number">
              {number}
              <kbd className="pad-key">
                {keyOfPad(number)}
              </kbd>
            </span>
            <span className="pad-role">{role}</span>
          </span>
          {pad ? (
            <>
              <span className="pad-title">{title}</span>
              <span className="pad-meta" id={`pad-${label}-meta`}>
                {tempoAndKey(pad.sample.bpm, pad.sample.musical_key)} · {settingsSummary(pad)}
              </span>
            </>
          ) : (
            <span className="pad-placeholder">Empty</span>
          )}
        </span>
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

const MOVES: Record<string, [number, number]> = {
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
};

export function PadGrid({ bank, pads, selected, onSelect, onDrop }: PadGridProps) {
  const grid = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState<number | null>(null);
  // The tab stop: the pad last focused, else the selected one in this bank, else pad 1.
  const stop = focused ?? (selected && selected.bank === bank ? selected.pad : HARDWARE_ROWS[0][0]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const from = Number((event.target as HTMLElement).dataset.padButton);
    if (!from) return;
    const row = HARDWARE_ROWS.findIndex((pads) => pads.includes(from));
    const column = HARDWARE_ROWS[row].indexOf(from);
    let next: number | undefined;
    if (event.key in MOVES) {
      const [down, right] = MOVES[event.key];
      next = HARDWARE_ROWS[row + down]?.[column + right];
    } else if (event.key === "Home") next = HARDWARE_ROWS[row][0];
    else if (event.key === "End") next = HARDWARE_ROWS[row][HARDWARE_ROWS[row].length - 1];
    if (next === undefined) return;
    event.preventDefault();
    setFocused(next);
    grid.current?.querySelector<HTMLButtonElement>(`[data-pad-button="${next}"]`)?.focus();
  }

  return (
    <div className="pad-grid" role="group" aria-label={`Pads of bank ${bank}`} ref={grid} onKeyDown={onKeyDown}>
      {HARDWARE_ROWS.flat().map((number) => (
        <PadCell
          key={`${bank}-${number}`}
          bank={bank}
          number={number}
          pad={pads.get(padLabel({ bank, pad: number }))}
          selected={samePad(selected, { bank, pad: number })}
          focusable={number === stop}
          onSelect={onSelect}
          onDrop={onDrop}
          onFocusPad={setFocused}
        />
      ))}
    </div>
  );
}
