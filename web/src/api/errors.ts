/** Errors from the API in the shape every service answers: {"error": {code, message, request_id}}. */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly retryAfter: string | null;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string | null = null,
    retryAfter: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  /** A plan limit (storage, analyses, uploads) rather than a short-term rate limit. */
  get isQuota(): boolean {
    return this.status === 429 && this.code === "quota_exceeded";
  }
}

const FALLBACK: Record<number, string> = {
  401: "Please sign in again.",
  404: "Not found.",
  413: "That file is too large.",
  429: "Too many requests. Please wait a moment and try again.",
  503: "The service is busy. Please try again shortly.",
};

/** Build an ApiError from a status, a response body (parsed or raw text) and a Retry-After. */
export function errorFrom(
  status: number,
  body: unknown,
  retryAfter: string | null = null,
): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; request_id?: unknown } })
    ?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const message =
    typeof error?.message === "string" && error.message
      ? error.message
      : (FALLBACK[status] ?? `Something went wrong (HTTP ${status}).`);
  const requestId = typeof error?.request_id === "string" ? error.request_id : null;
  return new ApiError(status, code, message, requestId, retryAfter);
}

/** The message to show a person for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the server. Check your connection.";
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}
