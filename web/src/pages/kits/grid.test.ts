import { describe, expect, it } from "vitest";

import {
  HARDWARE_ROWS,
  countByBank,
  defaultSettings,
  nextEmptyPad,
  padLabel,
  padsByLabel,
  parsePadLabel,
  roleOfPad,
  tempoAndKey,
} from "./grid";
import type { Pad } from "./types";

function pad(bank: Pad["bank"], number: number): Pad {
  return {
    start: null,
    end: null,
    bank,
    pad: number,
    label: padLabel({ bank, pad: number }),
    role: roleOfPad(number),
    sample_id: `s-${bank}${number}`,
    volume: 127,
    pitch: 0,
    gate: false,
    loop: false,
    one_shot: true,
    mute_group: 0,
    sample: { sample_rate: 48000, frames: 48000, id: "s", title: "t", bpm: null, musical_key: null, duration: 1, is_loop: null, status: "ready" },
  };
}

describe("the pad grid as the sampler shows it", () => {
  it("reads pad 1 top left to pad 16 bottom right", () => {
    expect(HARDWARE_ROWS[0]).toEqual([1, 2, 3, 4]);
    expect(HARDWARE_ROWS[3]).toEqual([13, 14, 15, 16]);
    expect(HARDWARE_ROWS.flat()).toHaveLength(16);
  });

  it("labels pads like the sampler's screen and reads the labels back", () => {
    expect(padLabel({ bank: "A", pad: 1 })).toBe("A-01");
    expect(padLabel({ bank: "J", pad: 16 })).toBe("J-16");
    expect(parsePadLabel("C-07")).toEqual({ bank: "C", pad: 7 });
    expect(parsePadLabel("K-01")).toBeNull();
    expect(parsePadLabel("A-17")).toBeNull();
    expect(parsePadLabel("A1")).toBeNull();
  });

  it("gives each pad the engine's role", () => {
    expect([1, 4, 5, 8, 9, 12, 13, 14, 15, 16].map(roleOfPad)).toEqual([
      "loop", "loop", "texture", "texture", "percussion", "percussion",
      "kick", "snare", "closed_hat", "open_hat",
    ]); // prettier-ignore
  });

  it("sets loops to loop and lets the hats choke each other", () => {
    expect(defaultSettings(2)).toMatchObject({ loop: true, one_shot: false, mute_group: 0 });
    expect(defaultSettings(13)).toMatchObject({ loop: false, one_shot: true, mute_group: 0 });
    expect(defaultSettings(15).mute_group).toBe(1);
    expect(defaultSettings(16).mute_group).toBe(1);
  });

  it("lets the sample's own kind decide where it is known", () => {
    expect(defaultSettings(13, true)).toMatchObject({ loop: true, one_shot: false });
    expect(defaultSettings(2, false)).toMatchObject({ loop: false, one_shot: true });
    expect(defaultSettings(13, null)).toMatchObject({ loop: false, one_shot: true });
  });

  it("counts the pads used in each bank", () => {
    const counts = countByBank([pad("A", 1), pad("A", 2), pad("C", 16)]);
    expect(counts.A).toBe(2);
    expect(counts.B).toBe(0);
    expect(counts.C).toBe(1);
  });

  it("fills empty pads in order from the bank shown, then the banks after it", () => {
    expect(nextEmptyPad(padsByLabel([]), "A")).toEqual({ bank: "A", pad: 1 });
    expect(nextEmptyPad(padsByLabel([pad("A", 1), pad("A", 2), pad("A", 4)]), "A")).toEqual({ bank: "A", pad: 3 });
    const fullC = Array.from({ length: 16 }, (_, n) => pad("C", n + 1));
    expect(nextEmptyPad(padsByLabel(fullC), "C")).toEqual({ bank: "D", pad: 1 });
    const fullJ = Array.from({ length: 16 }, (_, n) => pad("J", n + 1));
    expect(nextEmptyPad(padsByLabel([...fullJ, pad("A", 1)]), "J")).toEqual({ bank: "A", pad: 2 });
    const all = (["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"] as const).flatMap((bank) =>
      Array.from({ length: 16 }, (_, n) => pad(bank, n + 1)),
    );
    expect(nextEmptyPad(padsByLabel(all), "E")).toBeNull();
  });

  it("shows tempo and key when known", () => {
    expect(tempoAndKey(91.6, "A minor")).toBe("92 BPM · A minor");
    expect(tempoAndKey(null, null)).toBe("– BPM");
  });
});
