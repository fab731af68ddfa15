/**
 * The one way the app talks to the gateway. The access token lives in memory only; the refresh
 * token is the HttpOnly cookie the platform sets on /api/auth, so a reload trades it for a new
 * access token and no script can ever read it.
 */
import { ApiError, errorFrom } from "./errors";

type Listener = () => void;

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const signedOutListeners = new Set<Listener>();
const quotaListeners = new Set<(error: ApiError) => void>();

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function getAccessToken(): string | null {
  return accessToken;
}

/** Called when a refresh fails: the session is over and the app must show sign-in. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Called for every quota 429, wherever it happens, so the layout can show it. */
export function onQuotaExceeded(listener: (error: ApiError) => void): () => void {
  quotaListeners.add(listener);
  return () => quotaListeners.delete(listener);
}

export function reportError(error: ApiError): void {
  if (error.isQuota) quotaListeners.forEach((listener) => listener(error));
}

interface TokenBody {
  token: string;
  expires_in: number;
}

/** Trade the refresh cookie for a new access token; false when there is no live session. */
export function refreshAccessToken(): Promise<boolean> {
  // Two requests failing together must share one refresh: the cookie rotates at every use.
  refreshing ??= (async () => {
    try {
      const response = await fetch("/api/auth/refresh", {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return false;
      const body = (await response.json()) as TokenBody;
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

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body; // the browser sets the multipart Content-Type with its boundary
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  if (options.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(path, {
    method: options.method ?? "GET",
    headers,
    body,
    credentials: "same-origin",
    cache: options.cache,
    signal: options.signal,
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
  let response = await send(path, options);
  if (response.status === 401 && options.auth !== false) {
    if (await refreshAccessToken()) {
      response = await send(path, options);
    } else {
      accessToken = null;
      signedOutListeners.forEach((listener) => listener());
    }
  }
  if (!response.ok) {
    const error = await readError(response);
    reportError(error);
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
