// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { lastLibraryView, libraryUrl, readFilters, rememberLibraryView, samplesApiQuery } from "./filters";

describe("library filters in the URL", () => {
  it("keeps sort, loop, key match and half/double through the address", () => {
    const url = "/library?bpm_min=90&bpm_max=95&half_double=1&key=A+minor&key_match=compatible&loop=loop&sort=bpm&page=2";
    const filters = readFilters(new URL(url, "http://x").searchParams);
    expect(filters).toMatchObject({ halfDouble: true, keyMatch: "compatible", loop: "loop", sort: "bpm", page: 2 });
    expect(libraryUrl(filters)).toBe(url);
  });

  it("asks the API with its own names", () => {
    const filters = readFilters(new URLSearchParams("bpm_min=90&half_double=1&key=A+minor&key_match=relative&loop=one-shot&sort=title"));
    const query = samplesApiQuery(filters);
    expect(query.get("half_double")).toBe("true");
    expect(query.get("key_match")).toBe("relative");
    expect(query.get("loop")).toBe("false");
    expect(query.get("sort")).toBe("title");
  });

  it("leaves defaults out of the address", () => {
    expect(libraryUrl(readFilters(new URLSearchParams("sort=created_desc&key_match=exact")))).toBe("/library");
  });
});

describe("the library view a sample page links back to", () => {
  it("is the last one remembered, and the plain library before any or for a foreign path", () => {
    sessionStorage.clear();
    expect(lastLibraryView()).toBe("/library");
    rememberLibraryView("/library?loop=one-shot&sort=bpm&page=2");
    expect(lastLibraryView()).toBe("/library?loop=one-shot&sort=bpm&page=2");
    rememberLibraryView("https://elsewhere.example/library");
    expect(lastLibraryView()).toBe("/library");
  });
});
