import { describe, expect, it } from "vitest";

import { fallbackProfile, tokenClaims } from "./claims";

function jwt(payload: object): string {
  const part = btoa(JSON.stringify(payload)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `eyJhbGciOiJSUzI1NiJ9.${part}.signature`;
}

describe("a stand-in profile when the profile request is refused", () => {
  it("reads the token's claims", () => {
    expect(tokenClaims(jwt({ sub: "u1", email: "dee@example.com", tier: "pro" }))).toMatchObject({ sub: "u1" });
    expect(tokenClaims("not a token")).toBeNull();
  });

  it("prefers the sign-in answer's user, then the token", () => {
    const token = jwt({ sub: "u1", email: "dee@example.com", tier: "pro" });
    expect(fallbackProfile(token)).toMatchObject({ id: "u1", email: "dee@example.com", tier: "pro" });
    expect(fallbackProfile(token, { id: "u2", email: "b@example.com", tier: "free" })).toMatchObject({ id: "u2" });
    expect(fallbackProfile("opaque")).toBeNull();
  });
});
