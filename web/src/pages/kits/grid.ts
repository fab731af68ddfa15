/**
 * The SP-404MK2's pad grid as the app draws it: 10 banks (A–J) of 16 pads. The hardware numbers
 * its 4 × 4 pads like reading a page, pad 1 top left to pad 16 bottom right, so the bottom row
 * (13–16) holds the kit's kick, snare and hats under the player's fingers, as the engine's pad
 * roles expect (analysis_engine/kits/roles.py).
 */
import type { Bank, Pad, PadRef, PadSettings, Role } from "./types";

export const BANKS: readonly Bank[] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];

/** Rows of pad numbers, top to bottom, as on the sampler's panel. */
export const HARDWARE_ROWS: readonly (readonly number[])[] = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
  [13, 14, 15, 16],
];

export const PAD_NUMBERS: readonly number[] = HARDWARE_ROWS.flat();

const ROLE_NAMES: Record<Role, string> = {
  loop: "Loop",
  texture: "Texture",
  percussion: "Percussion",
  kick: "Kick",
  snare: "Snare",
  closed_hat: "Closed hat",
  open_hat: "Open hat",
};

/** The role the engine gives pad 1..16 of any bank. */
export function roleOfPad(pad: number): Role {
  if (pad <= 4) return "loop";
  if (pad <= 8) return "texture";
  if (pad <= 12) return "percussion";
  return (["kick", "snare", "closed_hat", "open_hat"] as const)[pad - 13];
}

export function roleName(role: Role): string {
  return ROLE_NAMES[role];
}

/** The pad as the sampler's screen shows it: "A-01". */
export function padLabel(ref: PadRef): string {
  return `${ref.bank}-${String(ref.pad).padStart(2, "0")}`;
}

export function samePad(a: PadRef | null, b: PadRef | null): boolean {
  return a != null && b != null && a.bank === b.bank && a.pad === b.pad;
}

/** "A-01" back to a pad, or null for anything else (e.g. a drag from another page). */
export function parsePadLabel(text: string): PadRef | null {
  const found = /^([A-J])-(\d{2})$/.exec(text);
  if (!found) return null;
  const pad = Number(found[2]);
  return pad >= 1 && pad <= 16 ? { bank: found[1] as Bank, pad } : null;
}

/** Assigned pads by label, for drawing a bank and looking up a drop target. */
export function padsByLabel(pads: readonly Pad[]): Map<string, Pad> {
  return new Map(pads.map((pad) => [padLabel(pad), pad]));
}

/**
 * Where a sample goes when no pad is chosen: the first empty pad of `bank` (pads 1 to 16), else
 * of the banks after it, wrapping round to A; null when all 160 are taken. The sampler's own
 * import fills pads in that order too.
 */
export function nextEmptyPad(pads: ReadonlyMap<string, Pad>, bank: Bank): PadRef | null {
  const from = BANKS.indexOf(bank);
  for (let step = 0; step < BANKS.length; step += 1) {
    const next = BANKS[(from + step) % BANKS.length];
    for (let pad = 1; pad <= 16; pad += 1) {
      const ref: PadRef = { bank: next, pad };
      if (!pads.has(padLabel(ref))) return ref;
    }
  }
  return null;
}

/** How many pads of each bank hold a sample (for the bank tabs). */
export function countByBank(pads: readonly Pad[]): Record<Bank, number> {
  const counts = Object.fromEntries(BANKS.map((bank) => [bank, 0])) as Record<Bank, number>;
  pads.forEach((pad) => {
    counts[pad.bank] += 1;
  });
  return counts;
}

/** Settings for a sample newly put on a pad, the same the engine's kit builder gives that
 * pad's role: loops loop, hits play once, and the two hats choke each other. Where the sample's
 * own kind is known (`isLoop`) it decides instead of the pad's role: a loop a producer drops on
 * the kick pad keeps looping rather than silently playing once. */
export function defaultSettings(pad: number, isLoop?: boolean | null): PadSettings {
  const role = roleOfPad(pad);
  const looping = isLoop ?? role === "loop";
  return {
    volume: 127,
    pitch: 0,
    gate: false,
    loop: looping,
    one_shot: !looping,
    mute_group: role === "closed_hat" || role === "open_hat" ? 1 : 0,
    start: null,
    end: null,
  };
}

/** The settings of an assigned pad, without its sample and labels. */
export function settingsOf(pad: Pad): PadSettings {
  const { volume, pitch, gate, loop, one_shot, mute_group, start, end } = pad;
  return { volume, pitch, gate, loop, one_shot, mute_group, start, end };
}

/** "92 BPM · A minor", "– BPM", for a pad or a library row. */
export function tempoAndKey(bpm: number | null | undefined, key: string | null | undefined): string {
  const tempo = bpm ? `${Math.round(bpm)} BPM` : "– BPM";
  return key ? `${tempo} · ${key}` : tempo;
}
