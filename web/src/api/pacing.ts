/**
 * Which calls must wait after a 429 or 503, and until when. Pure bookkeeping (no fetch, no
 * timers): the client asks before every request and records every refusal.
 *
 * A per-user rate limit (429 `rate_limited` on a signed-in call) holds every signed-in call: the
 * gateway counts them all in the same minute. Anything else holds only its own kind of call
 * (method + path with ids folded), so a busy sign-in does not stop the library. Plan quotas
 * (storage, analyses, collections) are not held here: the producer can lift them at once by
 * deleting or upgrading, and nothing retries them by itself.
 */
import { ApiError, parseRetryAfter } from "./errors";

/** The wait used when a 429/503 names none: long enough that nothing hammers the server. */
export const DEFAULT_WAIT_MS = 5_000;
/** Never hold calls longer than this on a rate limit, whatever the header says. */
export const MAX_WAIT_MS = 10 * 60_000;

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const EVERY_SIGNED_IN_CALL = "*";

/** "GET /api/jobs/:id" for "GET /api/jobs/3f…?x=1": one kind for every id and query. */
export function kindOf(method: string, path: string): string {
  const bare = path.split(/[?#]/, 1)[0];
  const folded = bare
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? ":id" : segment))
    .join("/");
  return `${method.toUpperCase()} ${folded}`;
}

/** The holds a refusal asks for: which kinds, for how long (ms); empty when none. */
export function holdsFor(
  error: ApiError,
  kind: string,
  signedIn: boolean,
  now = Date.now(),
): { key: string; ms: number }[] {
  if (!error.isBusy && !error.isDailyQuota) return [];
  const asked = parseRetryAfter(error.retryAfter, now);
  const ms = Math.min(MAX_WAIT_MS, asked ?? DEFAULT_WAIT_MS);
  if (error.status === 429 && error.code === "rate_limited" && signedIn) {
    return [{ key: EVERY_SIGNED_IN_CALL, ms }];
  }
  return [{ key: kind, ms }];
}

/** Until when each kind of call waits. */
export class Pacer {
  private until = new Map<string, number>();

  /** Milliseconds `kind` must still wait (0: go ahead). */
  waitFor(kind: string, signedIn: boolean, now = Date.now()): number {
    const own = this.until.get(kind) ?? 0;
    const all = signedIn ? (this.until.get(EVERY_SIGNED_IN_CALL) ?? 0) : 0;
    return Math.max(0, Math.max(own, all) - now);
  }

  /** Record a refusal of `kind`; returns the longest wait it asked for (0 when none). */
  refused(error: ApiError, kind: string, signedIn: boolean, now = Date.now()): number {
    let longest = 0;
    for (const { key, ms } of holdsFor(error, kind, signedIn, now)) {
      this.until.set(key, Math.max(this.until.get(key) ?? 0, now + ms));
      longest = Math.max(longest, ms);
    }
    return longest;
  }

  /** Forget every hold (a new session starts fresh). */
  clear(): void {
    this.until.clear();
  }
}
