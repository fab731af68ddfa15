import { describe, expect, it } from "vitest";

import { POLL_FIRST_MS, POLL_MAX_MS, pollDelay } from "./jobFeed";

describe("polling while the job stream is down", () => {
  it("starts slowly and backs off to a minute", () => {
    expect(pollDelay(0)).toBe(POLL_FIRST_MS);
    expect(pollDelay(1)).toBe(2 * POLL_FIRST_MS);
    expect(pollDelay(2)).toBe(4 * POLL_FIRST_MS);
    expect(pollDelay(10)).toBe(POLL_MAX_MS);
  });

  it("never comes back before the server's Retry-After", () => {
    expect(pollDelay(0, 30_000)).toBe(30_000);
    expect(pollDelay(10, 120_000)).toBe(120_000);
  });
});
