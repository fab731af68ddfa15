import { describe, expect, it } from "vitest";

import { errorFrom } from "./errors";
import { duplicateOf } from "./upload";

describe("duplicate uploads", () => {
  it("reads the existing sample's id from a 409 duplicate_sample", () => {
    const body = { error: { code: "duplicate_sample", message: "This audio is already in your library.", request_id: "r", sample_id: "abc" } };
    expect(duplicateOf(errorFrom(409, body))).toBe("abc");
    expect(duplicateOf(errorFrom(409, { error: { code: "conflict", message: "x" } }))).toBeNull();
    expect(duplicateOf(new Error("x"))).toBeNull();
  });
});
