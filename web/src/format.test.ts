import { describe, expect, it } from "vitest";

import { errorFrom } from "./api/errors";
import { formatBytes, formatDuration, formatUsage, parseTags, usageRatio } from "./format";

describe("what a producer reads", () => {
  it("shows usage as used over limit", () => {
    expect(formatUsage(50, 100, "MB")).toBe("50 MB / 100 MB");
    expect(formatUsage(3, 10)).toBe("3 / 10");
    expect(formatUsage(1.25, null, "MB")).toBe("1.3 MB / unlimited");
  });

  it("has no ratio for an unlimited plan", () => {
    expect(usageRatio(80, 100)).toBe(0.8);
    expect(usageRatio(80, null)).toBeNull();
  });

  it("formats sizes and durations", () => {
    expect(formatBytes(1_500_000)).toBe("1.5 MB");
    expect(formatBytes(820_000)).toBe("820 KB");
    expect(formatDuration(4.5)).toBe("0:04.5");
    expect(formatDuration(62)).toBe("1:02.0");
    expect(formatDuration(null)).toBe("–");
  });

  it("cleans tags the way the API stores them", () => {
    expect(parseTags(" Drums, dusty,,drums ")).toEqual(["drums", "dusty"]);
  });

  it("keeps the server's error message and recognises a quota refusal", () => {
    const error = errorFrom(429, {
      error: { code: "quota_exceeded", message: "Storage: 100 MB of 100 MB used.", request_id: "r1" },
    });
    expect(error.message).toBe("Storage: 100 MB of 100 MB used.");
    expect(error.isQuota).toBe(true);
    expect(errorFrom(502, "<html>").message).toMatch(/HTTP 502/);
  });
});
