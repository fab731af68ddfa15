/**
 * Server-sent events over fetch(). EventSource cannot send an Authorization header and the API
 * takes the access token nowhere else, so the stream is read with fetch() and a ReadableStream,
 * parsed here, and reconnected with Last-Event-ID and a growing delay when it drops.
 */
import { callRaw } from "./client";
import { ApiError, parseRetryAfter } from "./errors";

export interface SseEvent {
  /** The `event:` field; "message" when the server named none. */
  type: string;
  /** Every `data:` line of the event, joined with newlines. */
  data: string;
  /** The last `id:` seen so far on this stream (it carries over to later events). */
  lastEventId: string;
}

/** The text/event-stream format, fed with decoded text as it arrives (no fetch, no timers). */
export class SseParser {
  private buffer = "";
  private type = "";
  private data: string[] = [];
  private sawData = false;
  /** The id to send back as Last-Event-ID when reconnecting. */
  lastEventId = "";
  /** The reconnection delay the server asked for with `retry:`, in ms. */
  retryMs: number | null = null;

  /** Drop a half-read event (the connection broke); the id and retry delay are kept. */
  reset(): void {
    this.buffer = "";
    this.type = "";
    this.data = [];
    this.sawData = false;
  }

  /** Parse one chunk; returns the events it completed (a partial line waits for the next chunk). */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.lineEnd();
      if (end === null) break;
      const line = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end.length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Lines end with CRLF, LF or CR; a CR as the chunk's last character may be half a CRLF. */
  private lineEnd(): { index: number; length: number } | null {
    const cr = this.buffer.indexOf("\r");
    const lf = this.buffer.indexOf("\n");
    if (cr === -1 && lf === -1) return null;
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      if (cr === this.buffer.length - 1) return null;
      return { index: cr, length: this.buffer[cr + 1] === "\n" ? 2 : 1 };
    }
    return { index: lf, length: 1 };
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null; // a comment: the server's keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.type = value;
        break;
      case "data":
        this.data.push(value);
        this.sawData = true;
        break;
      case "id":
        // The spec ignores ids holding NUL: they could not be sent back in a header.
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored, as the spec says
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    const event = this.sawData
      ? { type: this.type || "message", data: this.data.join("\n"), lastEventId: this.lastEventId }
      : null;
    this.type = "";
    this.data = [];
    this.sawData = false;
    return event;
  }
}

const DEFAULT_RETRY_MS = 2000;
const MAX_RETRY_MS = 30_000;

/**
 * How long to wait before reconnecting: the server's `retry:` after a clean end, doubling with
 * each failure in a row up to 30 s, with some jitter so many tabs do not return in step.
 */
export function reconnectDelay(failures: number, retryMs: number | null, random = Math.random): number {
  const base = retryMs ?? DEFAULT_RETRY_MS;
  if (failures <= 0) return base;
  const grown = Math.min(MAX_RETRY_MS, base * 2 ** (failures - 1));
  return Math.round(grown * (0.8 + 0.4 * random()));
}

/** The stream answered with something that is not an event stream: retrying will not help. */
export class StreamUnsupported extends Error {
  constructor(message = "The server did not answer with an event stream.") {
    super(message);
    this.name = "StreamUnsupported";
  }
}

/** Refusals that will not change by trying again (a 429 or a 5xx might). */
function isPermanent(error: unknown): boolean {
  if (error instanceof StreamUnsupported) return true;
  if (error instanceof ApiError) {
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  }
  return false;
}

/** The routes that answer an event stream. */
export type EventStreamPath = "/api/jobs/events";

async function connect(path: EventStreamPath, lastEventId: string, signal: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  // The access token expires after an hour; a long-lived tab refreshes it like any request.
  const response = await callRaw("get", path, { headers, cache: "no-store", signal });
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.startsWith("text/event-stream") || !response.body) {
    await response.body?.cancel();
    throw new StreamUnsupported();
  }
  return response;
}

async function read(
  body: ReadableStream<Uint8Array>,
  parser: SseParser,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true })).forEach(onEvent);
    }
    parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export interface StreamHandlers {
  onEvent: (event: SseEvent) => void;
  /** The stream is (again) connected; after a reconnect, a chance to catch up on what was missed. */
  onOpen?: (reconnected: boolean) => void;
  /** The stream is down for now; it will be retried after a delay. */
  onDown?: (error: unknown) => void;
  /** The stream cannot work (refused for good, or not an event stream); nothing more is tried. */
  onGiveUp?: (error: unknown) => void;
}

/**
 * Follow an event stream until `signal` aborts: reconnect when the server ends it (the job stream
 * ends every 15 minutes) or the network drops it, sending the last event id back.
 */
export async function followEventStream(
  path: EventStreamPath,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  const parser = new SseParser();
  let failures = 0;
  let opened = false;
  while (!signal.aborted) {
    let waitAtLeastMs = 0;
    try {
      const response = await connect(path, parser.lastEventId, signal);
      failures = 0;
      handlers.onOpen?.(opened);
      opened = true;
      await read(response.body as ReadableStream<Uint8Array>, parser, handlers.onEvent);
    } catch (error) {
      // An abort nobody here asked for is the session ending (sign-out): stop for good.
      if (signal.aborted || (error instanceof DOMException && error.name === "AbortError")) return;
      if (isPermanent(error)) {
        handlers.onGiveUp?.(error);
        return;
      }
      failures += 1;
      // A 429 or 503 says when to come back; coming back sooner only gets refused again.
      waitAtLeastMs = (error instanceof ApiError ? parseRetryAfter(error.retryAfter) : null) ?? 0;
      handlers.onDown?.(error);
    }
    parser.reset();
    if (signal.aborted) return;
    await sleep(Math.max(waitAtLeastMs, reconnectDelay(failures, parser.retryMs)), signal);
  }
}
