/** Errors from the API in the shape every service answers: {"error": {code, message, request_id}}. */

/** Codes of plan-limit refusals (a plan quota, not a short-term rate limit). */
const QUOTA_CODES = new Set(["quota_exceeded", "daily_quota_exceeded"]);

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly retryAfter: string | null;
  /** The error's other fields, when the server sent any (a quota's name and figures). */
  readonly details: Record<string, unknown> | null;
  /** Refused by this browser without asking the server: it asked us to wait (Retry-After). */
  readonly local: boolean;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | null = null,
    retryAfter: string | null = null,
    details: Record<string, unknown> | null = null,
    local = false,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
    this.details = details;
    this.local = local;
  }

  /** A plan limit (storage, analyses, collections, today's API calls), not a short-term rate limit. */
  get isQuota(): boolean {
    return this.status === 429 && (QUOTA_CODES.has(this.code) || this.code.endsWith("_quota_exceeded"));
  }

  /** Today's API-call allowance (personal access tokens) is used up. */
  get isDailyQuota(): boolean {
    return this.isQuota && (this.code === "daily_quota_exceeded" || (this.code === "quota_exceeded" && this.details?.quota == null));
  }

  /** The server is pacing us (rate limit) or busy: come back after Retry-After, never at once. */
  get isBusy(): boolean {
    return (this.status === 429 && !this.isQuota) || this.status === 503;
  }
}

const FALLBACK: Record<number, string> = {
  401: "Please sign in again.",
  404: "Not found.",
  413: "That file is too large.",
  429: "Too many requests. Please wait a moment and try again.",
  503: "The service is busy. Please try again shortly.",
};

/**
 * Retry-After in milliseconds from `now`: delta-seconds or an HTTP date; null when absent or
 * unreadable. Never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its day and month; anything else ("-5", "soon") is unreadable.
  if (!/^[A-Za-z]{3}, /.test(text)) return null;
  const when = Date.parse(text);
  if (Number.isNaN(when)) return null;
  return Math.max(0, when - now);
}

/** "5 s", "2 min", "1 h": how long someone has to wait, rounded up. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.ceil(minutes / 60)} h`;
}

/** Build an ApiError from a status, a response body (parsed or raw text) and a Retry-After. */
export function errorFrom(
  status: number,
  body: unknown,
  retryAfter: string | null = null,
): ApiError {
  const error = (
    body as { error?: { code?: unknown; message?: unknown; request_id?: unknown } }
  )?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const message =
    typeof error?.message === "string" && error.message
      ? error.message
      : (FALLBACK[status] ?? `Something went wrong (HTTP ${status}).`);
  const requestId = typeof error?.request_id === "string" ? error.request_id : null;
  // The services spread an error's details (a quota's name and figures) into the error object.
  const { code: _c, message: _m, request_id: _r, ...rest } = (error ?? {}) as Record<string, unknown>;
  const details = Object.keys(rest).length ? rest : null;
  return new ApiError(status, code, message, requestId, retryAfter, details);
}

/** The message to show a person for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the server. Check your connection.";
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}
