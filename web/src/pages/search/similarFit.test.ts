import { describe, expect, it } from "vitest";

import { similarFit } from "./similarFit";

describe("similarFit", () => {
  it("says the percentile as a place in the library, not as likeness", () => {
    expect(similarFit({ alike: 62.4, reasons: ["relative key"] })).toBe(
      "closer in sound than 62 % of your library · relative key",
    );
    expect(similarFit({ alike: 100, reasons: [] })).toBe("the closest sound in your library");
    expect(similarFit({ alike: 0, reasons: ["a band loop"] })).toBe("the least close sound in your library · a band loop");
  });
});
