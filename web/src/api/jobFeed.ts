/**
 * Job progress for the whole app from ONE event stream (`GET /api/jobs/events`), opened when the
 * first watcher arrives and shared by every page: a new upload adds its job id to what is
 * watched, it never restarts the stream. While the stream is down, the unfinished jobs are read
 * with one list request (`GET /api/jobs`) at a slowly growing interval, never one request per job.
 * Signing out closes it all.
 */
import { call, onSessionEnd } from "./client";
import { followEventStream, type SseEvent } from "./events";
import { ApiError, parseRetryAfter } from "./errors";
import type { Job } from "./types";

const EVENTS_PATH = "/api/jobs/events" as const;
const FINISHED = new Set(["done", "failed", "dead", "cancelled", "deferred"]);
/** Keep the stream this long after the last watcher leaves (page changes must not restart it). */
const LINGER_MS = 60_000;
export const POLL_FIRST_MS = 5_000;
export const POLL_MAX_MS = 60_000;

export function isFinished(job: Job): boolean {
  return FINISHED.has(job.status);
}

/** A `job` event's data, or null when it is not one (the stream carries every job of the user). */
export function jobFromEvent(event: SseEvent): Job | null {
  if (event.type !== "job") return null;
  try {
    return jobFrom(JSON.parse(event.data));
  } catch {
    return null;
  }
}

function jobFrom(value: unknown): Job | null {
  const job = value as Partial<Job> | null;
  if (!job || typeof job.id !== "string" || typeof job.status !== "string") return null;
  return {
    id: job.id,
    sample_id: job.sample_id ?? null,
    status: job.status,
    progress: Number(job.progress ?? 0),
    last_error: job.last_error ?? null,
  };
}

/**
 * How long to wait before the next poll while the stream is down: 5 s, doubling per poll up
 * to a minute, and never before a Retry-After the server gave.
 */
export function pollDelay(polls: number, retryAfterMs: number | null = null): number {
  const grown = Math.min(POLL_MAX_MS, POLL_FIRST_MS * 2 ** Math.max(0, polls));
  return Math.max(grown, retryAfterMs ?? 0);
}

type JobListener = (job: Job) => void;

const listeners = new Set<JobListener>();
const watched = new Map<string, number>();
const latest = new Map<string, Job>();
let controller: AbortController | null = null;
let streaming = false;
let polls = 0;
let pollTimer: ReturnType<typeof setTimeout> | undefined;
let lingerTimer: ReturnType<typeof setTimeout> | undefined;

function pending(): string[] {
  return [...watched.keys()].filter((id) => {
    const job = latest.get(id);
    return !job || !isFinished(job);
  });
}

function publish(job: Job): void {
  const before = latest.get(job.id);
  if (before && before.status === job.status && before.progress === job.progress) return;
  latest.set(job.id, job);
  listeners.forEach((listener) => listener(job));
}

/** Read the unfinished watched jobs with one request; the wait to the next poll when down. */
async function catchUp(): Promise<number | null> {
  const ids = pending();
  if (ids.length === 0 || !controller) return null;
  try {
    const limit = Math.min(200, Math.max(50, ids.length * 2));
    const page = await call("get", "/api/jobs", { query: { limit }, signal: controller.signal });
    page.jobs.forEach((raw: unknown) => {
      const job = jobFrom(raw);
      if (job && watched.has(job.id)) publish(job);
    });
    return null;
  } catch (error) {
    return error instanceof ApiError ? parseRetryAfter(error.retryAfter) : null;
  }
}

function schedulePoll(retryAfterMs: number | null = null): void {
  clearTimeout(pollTimer);
  if (streaming || !controller || pending().length === 0) return;
  pollTimer = setTimeout(() => {
    polls += 1;
    void catchUp().then((wait) => schedulePoll(wait));
  }, pollDelay(polls, retryAfterMs));
}

function open(): void {
  clearTimeout(lingerTimer);
  if (controller) return;
  const own = new AbortController();
  controller = own;
  streaming = false;
  polls = 0;
  void followEventStream(
    EVENTS_PATH,
    {
      onEvent(event) {
        const job = jobFromEvent(event);
        if (job) publish(job);
      },
      onOpen(reconnected) {
        streaming = true;
        polls = 0;
        clearTimeout(pollTimer);
        // The stream replays only the last few seconds: what changed while it was down is read.
        if (reconnected) void catchUp();
      },
      onDown(error) {
        streaming = false;
        schedulePoll(error instanceof ApiError ? parseRetryAfter(error.retryAfter) : null);
      },
      onGiveUp() {
        streaming = false;
        schedulePoll();
      },
    },
    own.signal,
  );
}

function close(): void {
  clearTimeout(pollTimer);
  clearTimeout(lingerTimer);
  controller?.abort();
  controller = null;
  streaming = false;
}

/**
 * Follow these jobs: `listener` hears every change of any job of the user (known states of the
 * given ids at once). Returns the function that stops watching.
 */
export function watchJobs(ids: string[], listener: JobListener): () => void {
  listeners.add(listener);
  ids.forEach((id) => watched.set(id, (watched.get(id) ?? 0) + 1));
  ids.forEach((id) => {
    const job = latest.get(id);
    if (job) listener(job);
  });
  if (pending().length > 0 || controller) open();
  if (!streaming) schedulePoll();
  return () => {
    listeners.delete(listener);
    ids.forEach((id) => {
      const left = (watched.get(id) ?? 1) - 1;
      if (left > 0) watched.set(id, left);
      else watched.delete(id);
    });
    if (listeners.size === 0) {
      clearTimeout(lingerTimer);
      lingerTimer = setTimeout(close, LINGER_MS);
    }
  };
}

/** The last known state of a job, if the feed has seen it. */
export function knownJob(id: string): Job | undefined {
  return latest.get(id);
}

onSessionEnd(() => {
  close();
  watched.clear();
  latest.clear();
});
