/**
 * What the access token itself says about the producer (sub, email, tier), for when the profile
 * request is refused (busy, rate limited): the app still opens, with a banner, instead of
 * leaving the producer on the sign-in page. The token is not verified here; the server does that.
 */
import type { Profile, User } from "../api/types";

/** The JWT's payload, or null when it is not a readable JWT. */
export function tokenClaims(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === "object" ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A stand-in profile from the sign-in answer's user or the token's claims; null without an id. */
export function fallbackProfile(token: string, user?: User | null): Profile | null {
  const claims = tokenClaims(token) ?? {};
  const id = user?.id ?? (typeof claims.sub === "string" ? claims.sub : null);
  if (!id) return null;
  const email = user?.email ?? (typeof claims.email === "string" ? claims.email : "");
  const tier = user?.tier ?? (typeof claims.tier === "string" ? claims.tier : "free");
  return { id, email, first_name: null, last_name: null, tier, email_verified: true, created_at: "" };
}
