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
import type { paths as EnginePaths } from "./generated/engine";
import type { paths as PlatformPaths } from "./generated/platform";
import { kindOf, Pacer } from "./pacing";

type Listener = () => void;

/** Set when a sign-out could not reach the server: a reload must not trade the cookie again. */
const SIGNED_OUT_KEY = "sp404.signedOut";
/**
 * Set while this browser holds a session (from a sign-in until a sign-out or a refused refresh).
 * The refresh cookie is invisible to scripts; without this mark every page load of a visitor who
 * never signed in asked for a refresh, was refused with a 401 and logged a console error.
 */
const SESSION_KEY = "sp404.session";

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
  mark(SIGNED_OUT_KEY, on);
}

function mark(key: string, on: boolean): void {
  try {
    if (on) globalThis.localStorage?.setItem(key, "1");
    else globalThis.localStorage?.removeItem(key);
  } catch {
    // Storage can be off (private mode); the in-memory state still holds for this page.
  }
}

/** Whether this browser may hold a session worth restoring (see SESSION_KEY). Where storage is
 * off the answer is yes: asking costs a refused refresh, not a lost session. */
export function mayHoldSession(): boolean {
  try {
    const storage = globalThis.localStorage;
    return storage == null || storage.getItem(SESSION_KEY) === "1";
  } catch {
    return true;
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
  mark(SESSION_KEY, true);
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
  mark(SESSION_KEY, false);
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
        // Refused: no session left to restore on the next load.
        else mark(SESSION_KEY, false);
        return false;
      }
      const body = (await response.json()) as TokenBody;
      // Signed out while the refresh was in flight: keep it that way.
      if (ended) return false;
      accessToken = body.token;
      mark(SESSION_KEY, true);
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
async function authorizedFetch(
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

// ---------------------------------------------------------------------------------------------
// The typed call family: every request of the app names a route of the OpenAPI documents
// (generated/platform.ts, generated/engine.ts) by method and path template, and its body, query and
// answer take the generated types, so a renamed route or field fails `tsc`.
//   call        -> the JSON answer (undefined for 204)
//   callRaw     -> the Response itself (files, byte ranges, event streams)
//   callUpload  -> a multipart upload with progress (XMLHttpRequest: fetch cannot report it)
// ---------------------------------------------------------------------------------------------

type Paths = PlatformPaths & EnginePaths;

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** The path templates that answer `method` ("/api/kits/{kit_id}"). */
export type PathWith<M extends Method> = {
  [P in keyof Paths]: Paths[P] extends { [K in M]: object } ? P : never;
}[keyof Paths];

type Operation<M extends Method, P extends PathWith<M>> = Paths[P] extends { [K in M]: infer O } ? O : never;

type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;

type JsonOf<A> = A extends { content: { "application/json": infer J } } ? J : undefined;

/** The JSON a route answers on success (undefined for a 204). */
export type Answer<M extends Method, P extends PathWith<M>> =
  Operation<M, P> extends { responses: infer R } ? JsonOf<Success<R>> : never;

type BodyOf<O> = O extends { requestBody?: { content: infer C } }
  ? C extends { "application/json": infer B }
    ? B
    : C extends { "multipart/form-data": unknown }
      ? FormData
      : never
  : never;

type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [never] ? never : Q) : never;

type ParamsOf<O> = O extends { parameters: { path: infer A } } ? ([A] extends [never] ? never : A) : never;

/** What a call may carry: only what its route takes (path parameters, query, body). */
export type CallInit<M extends Method, P extends PathWith<M>> = Omit<RequestOptions, "method" | "body"> &
  ([ParamsOf<Operation<M, P>>] extends [never]
    ? { params?: never }
    : { params: { [K in keyof ParamsOf<Operation<M, P>>]: string | number } }) &
  ([QueryOf<Operation<M, P>>] extends [never]
    ? { query?: never }
    : // A URLSearchParams where a builder (search, filters) owns the query string.
      { query?: QueryOf<Operation<M, P>> | URLSearchParams }) &
  ([BodyOf<Operation<M, P>>] extends [never] ? { body?: never } : { body: BodyOf<Operation<M, P>> });

type InitArgs<M extends Method, P extends PathWith<M>> = {} extends CallInit<M, P>
  ? [init?: CallInit<M, P>]
  : [init: CallInit<M, P>];

type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** The URL of a route: `{name}` filled from params, the query appended (lists repeat the key). */
export function routeUrl(
  path: string,
  params?: Record<string, string | number>,
  query?: Record<string, QueryValue> | URLSearchParams,
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
  let search: URLSearchParams;
  if (query instanceof URLSearchParams) search = query;
  else {
    search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value == null) continue;
      if (Array.isArray(value)) value.forEach((item) => search.append(key, String(item)));
      else search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

function prepare(method: Method, path: string, init: Record<string, unknown> | undefined): [string, RequestOptions] {
  const { params, query, ...options } = (init ?? {}) as {
    params?: Record<string, string | number>;
    query?: Record<string, QueryValue> | URLSearchParams;
  } & RequestOptions;
  return [routeUrl(path, params, query), { ...options, method: method.toUpperCase() }];
}

/** Call a route; resolves to its JSON answer (undefined for 204). Errors throw ApiError. */
export async function call<M extends Method, P extends PathWith<M>>(
  method: M,
  path: P,
  ...[init]: InitArgs<M, P>
): Promise<Answer<M, P>> {
  const response = await authorizedFetch(...prepare(method, path, init));
  if (response.status === 204) return undefined as Answer<M, P>;
  return (await response.json()) as Answer<M, P>;
}

/** Call a route and keep the Response: a file, a byte range or an event stream. */
export function callRaw<M extends Method, P extends PathWith<M>>(
  method: M,
  path: P,
  ...[init]: InitArgs<M, P>
): Promise<Response> {
  return authorizedFetch(...prepare(method, path, init));
}

export interface UploadAnswer<T> {
  body: T;
  /** The X-Quota-Warning header: set when this upload took a quota past 80 %. */
  quotaWarning: string | null;
}

function xhrSend(method: string, url: string, form: FormData, onProgress: (fraction: number) => void): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    checkPace(method, url);
    const xhr = new XMLHttpRequest();
    // Signing out stops an upload in flight like every other request of the session.
    const signal = session.signal;
    const abort = (): void => xhr.abort();
    signal.addEventListener("abort", abort, { once: true });
    xhr.onloadend = () => signal.removeEventListener("abort", abort);
    xhr.onabort = () => reject(new DOMException("The upload was stopped.", "AbortError"));
    xhr.open(method, url);
    xhr.setRequestHeader("Accept", "application/json");
    if (accessToken) xhr.setRequestHeader("Authorization", `Bearer ${accessToken}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new TypeError("network error"));
    xhr.send(form);
  });
}

function parseXhr(xhr: XMLHttpRequest): unknown {
  try {
    return JSON.parse(xhr.responseText);
  } catch {
    return null;
  }
}

/** A multipart upload whose progress goes from 0 to 1 (a 401 refreshes once and starts over). */
export async function callUpload<M extends "post" | "put", P extends PathWith<M>>(
  method: M,
  path: P,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<UploadAnswer<Answer<M, P>>> {
  const verb = method.toUpperCase();
  let xhr = await xhrSend(verb, path, form, onProgress);
  if (xhr.status === 401 && (await refreshAccessToken())) {
    onProgress(0);
    xhr = await xhrSend(verb, path, form, onProgress);
  }
  if (xhr.status < 200 || xhr.status >= 300) {
    const error = errorFrom(xhr.status, parseXhr(xhr), xhr.getResponseHeader("Retry-After"));
    reportError(error, verb, path);
    throw error;
  }
  return { body: parseXhr(xhr) as Answer<M, P>, quotaWarning: xhr.getResponseHeader("X-Quota-Warning") };
}
