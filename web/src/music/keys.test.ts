import { describe, expect, it } from "vitest";

import { detectedKeyText, formatBpm, keyWithCamelot, scaleTempo, shownKey } from "./keys";

describe("keys", () => {
  it("shows a key with its Camelot number, and no key as such", () => {
    expect(keyWithCamelot("A minor", "8A")).toBe("A minor · 8A");
    expect(keyWithCamelot(null, null)).toBe("no key");
  });

  it("marks a low-confidence key with a question mark and its confidence", () => {
    expect(detectedKeyText({ musical_key: "G# minor", camelot: "1A", key_confidence: 0.1 })).toBe("G# minor? (10 % sure)");
    expect(detectedKeyText({ musical_key: "A minor", camelot: "8A", key_confidence: 0.9 })).toBe("A minor · 8A");
    expect(detectedKeyText({ musical_key: null, camelot: null, key_confidence: null })).toBe("no key");
  });

  it("halves and doubles a tempo inside 20-400 BPM", () => {
    expect(scaleTempo(46, 2)).toBe(92);
    expect(scaleTempo(92, 0.5)).toBe(46);
    expect(scaleTempo(300, 2)).toBeNull();
    expect(formatBpm(92)).toBe("92 BPM");
    expect(formatBpm(null)).toBe("no tempo");
  });

  it("marks an unsure key in a list unless the producer set it", () => {
    const detected = { musical_key: "G# minor", camelot: "1A", key_confidence: 0.1 };
    expect(shownKey({ musical_key: "G# minor", camelot: "1A", corrected: [], detected })).toBe("G# minor? · 1A");
    expect(shownKey({ musical_key: "G# minor", camelot: "1A", corrected: ["musical_key"], detected })).toBe("G# minor · 1A");
    expect(shownKey({ musical_key: null, camelot: null })).toBe("no key");
  });
});
