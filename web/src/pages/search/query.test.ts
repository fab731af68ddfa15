import { describe, expect, it } from "vitest";

import {
  filterProblem,
  readSimilarSearch,
  readTextSearch,
  searchApiQuery,
  searchApiUrl,
  similarApiUrl,
  similarSearchUrl,
  textSearchUrl,
} from "./query";

describe("search state in the URL", () => {
  it("round-trips a text search with filters", () => {
    const url = textSearchUrl({ q: " dusty keys ", bpmMin: "80", bpmMax: "", key: "A minor", type: "loop" });
    expect(url).toBe("/search?q=dusty+keys&bpm_min=80&key=A+minor&type=loop");
    const state = readTextSearch(new URL(url, "http://x").searchParams);
    expect(state).toEqual({ q: "dusty keys", bpmMin: "80", bpmMax: "", halfDouble: false, key: "A minor", keyMatch: "exact", type: "loop" });
  });

  it("keeps a compatible-key and half/double search in the URL and asks the API with its names", () => {
    const url = textSearchUrl({ q: "keys", bpmMin: "90", bpmMax: "95", halfDouble: true, key: "A minor", keyMatch: "compatible", type: "" });
    expect(url).toBe("/search?q=keys&bpm_min=90&bpm_max=95&half_double=1&key=A+minor&key_match=compatible");
    const state = readTextSearch(new URL(url, "http://x").searchParams);
    const query = searchApiQuery(state, 20, 0);
    expect(query.get("key_match")).toBe("compatible");
    expect(query.get("half_double")).toBe("true");
  });

  it("is plain /search with nothing asked", () => {
    expect(textSearchUrl({ q: "  ", bpmMin: "", bpmMax: "", key: "", type: "" })).toBe("/search");
  });

  it("turns similar-sound options into the API's parameters", () => {
    const state = { similar: "abc", tempo: "8", halfDouble: true, keyMatch: "fifths" as const, type: "one-shot" as const };
    const page = new URL(similarSearchUrl(state), "http://x");
    expect(readSimilarSearch(page.searchParams)).toEqual(state);
    const api = new URL(similarApiUrl(state, 20), "http://x");
    expect(api.pathname).toBe("/api/samples/abc/similar");
    expect(Object.fromEntries(api.searchParams)).toEqual({
      limit: "20",
      bpm_tolerance_pct: "8",
      include_half_double: "true",
      key_compatible: "true",
      include_fifths: "true",
      loop: "false",
    });
  });

  it("sends the tempo, key and type filters to the API with the words", () => {
    const state = { q: "dusty keys", bpmMin: "85", bpmMax: "95.5", key: "C# minor", type: "one-shot" as const };
    const url = new URL(searchApiUrl(state, 20, 40), "http://x");
    expect(url.pathname).toBe("/api/search");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      q: "dusty keys",
      limit: "20",
      offset: "40",
      bpm_min: "85",
      bpm_max: "95.5",
      key: "C# minor",
      loop: "false",
    });
  });

  it("asks for words alone when no filter is set, and leaves out a bound that is not a number", () => {
    const base = { q: "x", bpmMin: "", bpmMax: "", key: "", type: "" as const };
    expect(searchApiUrl(base, 20, 0)).toBe("/api/search?q=x&limit=20&offset=0");
    expect(searchApiUrl({ ...base, bpmMin: "fast", type: "loop" }, 20, 0)).toBe("/api/search?q=x&limit=20&offset=0&loop=true");
  });

  it("refuses a tempo range upside down before asking", () => {
    const base = { q: "x", bpmMin: "", bpmMax: "", key: "", type: "" as const };
    expect(filterProblem({ ...base, bpmMin: "120", bpmMax: "90" })).toBe("BPM from must not be above BPM to.");
    expect(filterProblem({ ...base, bpmMin: "90", bpmMax: "90" })).toBeNull();
    expect(filterProblem({ ...base, bpmMin: "90" })).toBeNull();
  });
});
