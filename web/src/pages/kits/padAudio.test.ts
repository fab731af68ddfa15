import { describe, expect, it } from "vitest";

import { bankOfKey, keyOfPad, padOfKey } from "./padAudio";

describe("the keyboard as the sampler's pads", () => {
  it("plays the bank's 4 x 4 pads from 1-4, Q-R, A-F and Z-V", () => {
    expect(["Digit1", "Digit4", "KeyQ", "KeyR", "KeyA", "KeyF", "KeyZ", "KeyV"].map(padOfKey)).toEqual([
      1, 4, 5, 8, 9, 12, 13, 16,
    ]);
    expect(padOfKey("KeyT")).toBeNull();
    expect(keyOfPad(1)).toBe("1");
    expect(keyOfPad(6)).toBe("W");
    expect(keyOfPad(16)).toBe("V");
  });

  it("picks bank A to J with Shift and 1 to 0", () => {
    expect(bankOfKey("Digit1")).toBe("A");
    expect(bankOfKey("Digit9")).toBe("I");
    expect(bankOfKey("Digit0")).toBe("J");
    expect(bankOfKey("KeyQ")).toBeNull();
  });
});
