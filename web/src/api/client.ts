/**
 * The one way the app talks to the gateway. The access token lives in memory only; the refresh
 * token is the HttpOnly cookie the platform sets on /api/auth, so a reload trades it for a new
 * access token and no script can ever read it.
 *
 * Traffic rules kept here for every caller: after a 429 or 503 that kind of call waits for the
 * server's Retry-After (see pacing.ts) and is refused locally until then, so nothing retries in a
 * loop; after sign-out nothing refreshes, and every request and stream of the session is aborted.
 */
import { ApiError, errorFrom, formatWait } from "./errors";
import { kindOf, Pacer } from "./pacing";

type Listener = () => void;

/** Set when a sign-out could not reach the server: a reload must not trade the cookie again. */
const SIGNED_OUT_KEY = "sp404.signedOut";

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let ended = readSignedOutMark();
let session = new AbortController();
const pacer = new Pacer();
const signedOutListeners = new Set<Listener>();
const sessionEndListeners = new Set<Listener>();
const quotaListeners = new Set<(error: ApiError) => void>();
const busyListeners = new Set<(error: ApiError) => void>();

function readSignedOutMark(): boolean {
  try {
    return globalThis.localStorage?.getItem(SIGNED_OUT_KEY) === "1";
  } catch {
    return false;
  }
}

function markSignedOut(on: boolean): void {
  try {
    if (on) globalThis.localStorage?.setItem(SIGNED_OUT_KEY, "1");
    else globalThis.localStorage?.removeItem(SIGNED_OUT_KEY);
  } catch {
    // Storage can be off (private mode); the in-memory state still holds for this page.
  }
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function getAccessToken(): string | null {
  return accessToken;
}

/** A new session (after sign-in): refreshing is allowed again and old waits are forgotten. */
export function beginSession(token: string): void {
  accessToken = token;
  ended = false;
  markSignedOut(false);
  pacer.clear();
  if (session.signal.aborted) session = new AbortController();
}

/**
 * End the session in this browser, whether or not the server heard about it: forget the token,
 * stop refreshing, abort every request and stream of the session. `serverKnows` is false when
 * the sign-out could not reach the server, so a reload must not sign back in with the cookie.
 */
export function endSession(serverKnows = true): void {
  accessToken = null;
  ended = true;
  if (!serverKnows) markSignedOut(true);
  session.abort();
  session = new AbortController();
  sessionEndListeners.forEach((listener) => listener());
}

/**
 * Sign out: the session ends here at once (see endSession), then the server is told with the
 * token it had, briefly and once. Never rejects: unreachable, refused or busy, the browser is
 * signed out all the same, and the mark keeps a reload from signing back in.
 */
export async function signOut(): Promise<void> {
  const token = accessToken;
  endSession(false);
  if (!token) return;
  const path = "/api/auth/logout";
  try {
    checkPace("POST", path);
    const response = await fetch(path, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: "{}",
      credentials: "same-origin",
      signal: AbortSignal.timeout(5000),
    });
    // The server ended the session and dropped the refresh cookie: nothing left to guard against.
    if (response.ok && ended) markSignedOut(false);
  } catch {
    // Unreachable or held back by a Retry-After: the mark stays.
  }
}

/** The session's signal: aborted when the producer signs out (streams and pollers stop). */
export function sessionSignal(): AbortSignal {
  return session.signal;
}

/** Called when a refresh fails: the session is over and the app must show sign-in. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Called whenever the session ends here (sign-out, or the server ended it). */
export function onSessionEnd(listener: Listener): () => void {
  sessionEndListeners.add(listener);
  return () => sessionEndListeners.delete(listener);
}

/** Called for every quota refusal, wherever it happens, so the layout can show it. */
export function onQuotaExceeded(listener: (error: ApiError) => void): () => void {
  quotaListeners.add(listener);
  return () => quotaListeners.delete(listener);
}

/** Called for every 429/503 that asks us to wait, so the layout can say so calmly. */
export function onBusy(listener: (error: ApiError) => void): () => void {
  busyListeners.add(listener);
  return () => busyListeners.delete(listener);
}

/** Tell the listeners about a refusal; a 429/503 also holds that kind of call (method, path). */
export function reportError(error: ApiError, method?: string, path?: string, authorized = true): void {
  if (!error.local && method && path) pacer.refused(error, kindOf(method, path), authorized);
  if (error.isQuota) quotaListeners.forEach((listener) => listener(error));
  else if (error.isBusy) busyListeners.forEach((listener) => listener(error));
}

/** Throw a local refusal when this kind of call must still wait after a 429/503. */
export function checkPace(method: string, path: string, authorized = true): void {
  const wait = pacer.waitFor(kindOf(method, path), authorized);
  if (wait <= 0) return;
  throw new ApiError(
    429,
    "rate_limited",
    `The server asked us to slow down. Try again in ${formatWait(wait)}.`,
    null,
    String(Math.ceil(wait / 1000)),
    null,
    true,
  );
}

interface TokenBody {
  token: string;
  expires_in: number;
}

/** Trade the refresh cookie for a new access token; false when there is no live session. */
export function refreshAccessToken(): Promise<boolean> {
  if (ended) return Promise.resolve(false);
  // Two requests failing together must share one refresh: the cookie rotates at every use.
  refreshing ??= (async () => {
    const path = "/api/auth/refresh";
    try {
      checkPace("POST", path, false);
      const response = await fetch(path, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        if (response.status === 429 || response.status === 503) reportError(await readError(response), "POST", path, false);
        return false;
      }
      const body = (await response.json()) as TokenBody;
      // Signed out while the refresh was in flight: keep it that way.
      if (ended) return false;
      accessToken = body.token;
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  /** Sent as JSON, except a FormData, which goes as multipart. */
  body?: unknown;
  /** Extra headers (Accept defaults to JSON). */
  headers?: Record<string, string>;
  cache?: RequestCache;
  /** Send the access token (and refresh it once on a 401). */
  auth?: boolean;
  signal?: AbortSignal;
}

/** Either signal aborts the request (AbortSignal.any where the browser has it). */
function either(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  if (!b) return a;
  if (typeof AbortSignal.any === "function") return AbortSignal.any([a, b]);
  const both = new AbortController();
  const abort = (): void => both.abort();
  if (a.aborted || b.aborted) both.abort();
  a.addEventListener("abort", abort, { once: true });
  b.addEventListener("abort", abort, { once: true });
  return both.signal;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? "GET";
  const authorized = options.auth !== false;
  checkPace(method, path, authorized);
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body; // the browser sets the multipart Content-Type with its boundary
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  if (authorized && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(path, {
    method,
    headers,
    body,
    credentials: "same-origin",
    cache: options.cache,
    // A signed-in request belongs to the session: signing out aborts it.
    signal: authorized ? either(session.signal, options.signal) : options.signal,
  });
}

async function readError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return errorFrom(response.status, body, response.headers.get("Retry-After"));
}

/** Fetch with the token; a 401 refreshes once and retries; errors throw ApiError. */
export async function authorizedFetch(
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  const method = options.method ?? "GET";
  let response = await send(path, options);
  if (response.status === 401 && options.auth !== false && !ended) {
    if (await refreshAccessToken()) {
      response = await send(path, options);
    } else if (!ended) {
      endSession();
      signedOutListeners.forEach((listener) => listener());
    }
  }
  if (!response.ok) {
    const error = await readError(response);
    reportError(error, method, path, options.auth !== false);
    throw error;
  }
  return response;
}

/** A JSON request; resolves to the parsed body (undefined for 204). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await authorizedFetch(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
