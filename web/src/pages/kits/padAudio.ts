/**
 * Pads played like the SP-404MK2's: a gate pad sounds while held, a loop pad loops (without gate a
 * second hit stops it), any other pad plays its sample through once, a repeat hit restarting it.
 * A pad cuts the pads of its mute group. The keyboard plays the current bank's 16 pads in the
 * sampler's 4 × 4 layout: 1 2 3 4 / Q W E R / A S D F / Z X C V; Shift + 1…0 picks bank A…J.
 */
import { isPlaying, play, stop } from "../../audio/player";
import { BANKS, HARDWARE_ROWS, padLabel } from "./grid";
import type { Bank, Pad } from "./types";

const KEY_ROWS = [
  ["Digit1", "Digit2", "Digit3", "Digit4"],
  ["KeyQ", "KeyW", "KeyE", "KeyR"],
  ["KeyA", "KeyS", "KeyD", "KeyF"],
  ["KeyZ", "KeyX", "KeyC", "KeyV"],
];

/** The pad number a key plays (by its place on the keyboard, whatever the layout prints), or null. */
export function padOfKey(code: string): number | null {
  for (const [row, codes] of KEY_ROWS.entries()) {
    const column = codes.indexOf(code);
    if (column >= 0) return HARDWARE_ROWS[row][column];
  }
  return null;
}

/** The key that plays pad `number` ("Q" for pad 5), for the pad's label. */
export function keyOfPad(number: number): string {
  for (const [row, pads] of HARDWARE_ROWS.entries()) {
    const column = pads.indexOf(number);
    if (column >= 0) return KEY_ROWS[row][column].replace(/^(Digit|Key)/, "");
  }
  return "";
}

/** The bank Shift + a number key picks (Shift+1 → A … Shift+0 → J), or null. */
export function bankOfKey(code: string): Bank | null {
  const match = /^Digit(\d)$/.exec(code);
  if (!match) return null;
  const digit = Number(match[1]);
  return BANKS[(digit + 9) % 10] ?? null;
}

/** Hit a pad (pointer down, key down). */
export function pressPad(pad: Pad, clickedAt?: number): void {
  const key = padLabel(pad);
  if (pad.loop && !pad.gate && isPlaying(key)) {
    stop(key);
    return;
  }
  void play(pad.sample_id, {
    kind: "pad",
    key,
    loop: pad.loop,
    start: pad.start,
    end: pad.end,
    sampleRate: pad.sample.sample_rate,
    muteGroup: pad.mute_group,
    volume: pad.volume,
    pitch: pad.pitch,
    clickedAt,
  }).catch(() => undefined);
}

/** Let go of a pad (pointer up, key up): only a gate pad stops. */
export function releasePad(pad: Pad): void {
  if (pad.gate) stop(padLabel(pad));
}
