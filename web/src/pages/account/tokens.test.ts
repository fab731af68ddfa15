import { describe, expect, it } from "vitest";

import { curlLine, newTokenFrom, shownPrefix } from "./tokens";

describe("creating a personal access token", () => {
  it("sends a trimmed name, the chosen scopes and the expiry in days", () => {
    expect(newTokenFrom("  sync script ", ["library:read", "kits:write"], "30")).toEqual({
      name: "sync script",
      scopes: ["library:read", "kits:write"],
      expires_in_days: 30,
    });
    expect(newTokenFrom("forever", ["library:write"], "never")).toMatchObject({ expires_in_days: null });
  });

  it.each([
    ["  ", ["library:read"], "30", /name/],
    ["x".repeat(101), ["library:read"], "30", /100 characters/],
    ["ok", [], "30", /at least one/],
    ["ok", ["admin"], "30", /at least one/],
    ["ok", ["library:read"], "400", /expires/],
  ])("refuses %j %j %s before sending", (name, scopes, expiry, reason) => {
    expect(newTokenFrom(name, scopes, expiry)).toMatch(reason);
  });

  it("shows a ready curl line and a prefix that does not reveal the token", () => {
    expect(curlLine("sp404_pat_abc", "https://cloud.example")).toBe(
      'curl -H "Authorization: Bearer sp404_pat_abc" https://cloud.example/api/samples',
    );
    expect(shownPrefix("sp404_pat_ab12")).toBe("sp404_pat_ab12…");
  });
});
