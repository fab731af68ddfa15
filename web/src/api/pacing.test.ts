import { describe, expect, it } from "vitest";

import { ApiError, errorFrom, formatWait, parseRetryAfter } from "./errors";
import { DEFAULT_WAIT_MS, kindOf, MAX_WAIT_MS, Pacer } from "./pacing";

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

function refusal(status: number, code: string, retryAfter: string | null, extra: object = {}): ApiError {
  return errorFrom(status, { error: { code, message: "no", request_id: "r", ...extra } }, retryAfter);
}

describe("reading Retry-After", () => {
  it("reads seconds, fractions and HTTP dates, and nothing else", () => {
    expect(parseRetryAfter("30", NOW)).toBe(30_000);
    expect(parseRetryAfter(" 1.5 ", NOW)).toBe(1_500);
    expect(parseRetryAfter("Wed, 01 Jan 2025 12:00:20 GMT", NOW)).toBe(20_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 11:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("soon", NOW)).toBeNull();
    expect(parseRetryAfter("-5", NOW)).toBeNull();
    expect(parseRetryAfter("", NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it("says a wait in words a person reads at a glance", () => {
    expect(formatWait(200)).toBe("1 s");
    expect(formatWait(42_000)).toBe("42 s");
    expect(formatWait(5 * 60_000)).toBe("5 min");
    expect(formatWait(3 * 3600_000)).toBe("3 h");
  });
});

describe("telling refusals apart", () => {
  it.each([
    [429, "quota_exceeded", { quota: "storage" }, true, false],
    [429, "daily_quota_exceeded", {}, true, true],
    [429, "storage_quota_exceeded", {}, true, false],
    [429, "quota_exceeded", {}, true, true],
    [429, "rate_limited", {}, false, false],
    [503, "overloaded", {}, false, false],
  ])("%i %s %o: quota %s, daily %s", (status, code, extra, quota, daily) => {
    const error = refusal(status, code, "5", extra);
    expect(error.isQuota).toBe(quota);
    expect(error.isDailyQuota).toBe(daily);
    expect(error.isBusy).toBe(!quota);
  });

  it("keeps the quota's figures the services spread into the error", () => {
    const error = refusal(429, "quota_exceeded", "3600", { quota: "analyses", used: 10, limit: 10 });
    expect(error.details).toEqual({ quota: "analyses", used: 10, limit: 10 });
    expect(refusal(404, "not_found", null).details).toBeNull();
  });
});

describe("pacing calls after a 429 or 503", () => {
  it("folds ids and queries so every job poll is one kind of call", () => {
    expect(kindOf("get", "/api/jobs/3f2b8c1e-0a1b-4c2d-9e3f-0123456789ab?x=1")).toBe("GET /api/jobs/:id");
    expect(kindOf("DELETE", "/api/kits/12/pads/3")).toBe("DELETE /api/kits/:id/pads/:id");
    expect(kindOf("GET", "/api/samples?limit=20")).toBe("GET /api/samples");
  });

  it("holds that kind of call until Retry-After, and only that kind", () => {
    const pacer = new Pacer();
    const kind = kindOf("POST", "/api/auth/login");
    expect(pacer.refused(refusal(503, "overloaded", "7"), kind, false, NOW)).toBe(7_000);
    expect(pacer.waitFor(kind, false, NOW + 6_999)).toBe(1);
    expect(pacer.waitFor(kind, false, NOW + 7_000)).toBe(0);
    expect(pacer.waitFor("GET /api/samples", true, NOW + 1)).toBe(0);
  });

  it("holds every signed-in call after the per-user rate limit, but not sign-in", () => {
    const pacer = new Pacer();
    pacer.refused(refusal(429, "rate_limited", "12"), "GET /api/samples", true, NOW);
    expect(pacer.waitFor("GET /api/account/profile", true, NOW + 1_000)).toBe(11_000);
    expect(pacer.waitFor("POST /api/auth/login", false, NOW + 1_000)).toBe(0);
    pacer.clear();
    expect(pacer.waitFor("GET /api/samples", true, NOW + 1_000)).toBe(0);
  });

  it("waits a few seconds when no Retry-After came, and never for ages", () => {
    const pacer = new Pacer();
    expect(pacer.refused(refusal(503, "service_unavailable", null), "GET /api/jobs", true, NOW)).toBe(DEFAULT_WAIT_MS);
    expect(pacer.refused(refusal(429, "rate_limited", "86400"), "GET /api/jobs", true, NOW)).toBe(MAX_WAIT_MS);
  });

  it("does not hold plan quotas: deleting or upgrading lifts them at once", () => {
    const pacer = new Pacer();
    const storage = refusal(429, "quota_exceeded", "3600", { quota: "storage" });
    expect(pacer.refused(storage, "POST /api/samples", true, NOW)).toBe(0);
    expect(pacer.waitFor("POST /api/samples", true, NOW)).toBe(0);
    expect(pacer.refused(refusal(404, "not_found", null), "GET /api/samples/:id", true, NOW)).toBe(0);
  });
});
