/**
 * Live analysis progress of freshly uploaded samples, from the job event stream
 * (/api/jobs/events, read with fetch so the Authorization header goes along). While the stream is
 * down the unfinished jobs are polled every 2 s; when it gives up for good, polling carries on.
 */
import { useEffect, useRef, useState } from "react";

import { api } from "../../api/client";
import { followEventStream, type SseEvent } from "../../api/events";
import type { Job } from "../../api/types";

const POLL_MS = 2000;
const EVENTS_PATH = "/api/jobs/events";
const FINISHED = new Set(["done", "failed", "dead", "cancelled", "deferred"]);

export function isFinished(job: Job): boolean {
  return FINISHED.has(job.status);
}

/** A `job` event's data, or null when it is not one (the stream carries every job of the user). */
export function jobFromEvent(event: SseEvent): Job | null {
  if (event.type !== "job") return null;
  try {
    const job = JSON.parse(event.data) as Partial<Job>;
    if (typeof job.id !== "string" || typeof job.status !== "string") return null;
    return {
      id: job.id,
      sample_id: job.sample_id ?? null,
      status: job.status,
      progress: Number(job.progress ?? 0),
      last_error: job.last_error ?? null,
    };
  } catch {
    return null;
  }
}

/** The latest state of each job id given; the stream closes when every job has finished. */
export function useJobProgress(jobIds: string[], onFinished?: () => void): Record<string, Job> {
  const [jobs, setJobs] = useState<Record<string, Job>>({});
  const latest = useRef(jobs);
  const finishedCallback = useRef(onFinished);
  finishedCallback.current = onFinished;
  const key = jobIds.join(",");

  useEffect(() => {
    if (!key) return;
    const wanted = key.split(",");
    if (wanted.every((id) => latest.current[id] && isFinished(latest.current[id]))) return;
    const controller = new AbortController();
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let streaming = false;

    const pending = (): string[] =>
      wanted.filter((id) => !latest.current[id] || !isFinished(latest.current[id]));

    function apply(updates: Job[]): void {
      if (controller.signal.aborted || updates.length === 0) return;
      let newlyFinished = false;
      const next = { ...latest.current };
      for (const job of updates) {
        const before = next[job.id];
        if (isFinished(job) && !(before && isFinished(before))) newlyFinished = true;
        next[job.id] = job;
      }
      latest.current = next;
      setJobs(next);
      if (newlyFinished) finishedCallback.current?.();
      // Nothing left to watch: close the stream and stop polling.
      if (pending().length === 0) {
        controller.abort();
        clearTimeout(pollTimer);
      }
    }

    async function pollOnce(): Promise<void> {
      const ids = pending();
      if (ids.length === 0) return;
      const results = await Promise.allSettled(
        ids.map((id) => api<Job>(`/api/jobs/${encodeURIComponent(id)}`, { signal: controller.signal })),
      );
      apply(results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : [])));
    }

    function pollWhileDown(): void {
      clearTimeout(pollTimer);
      if (streaming || controller.signal.aborted) return;
      pollTimer = setTimeout(() => {
        void pollOnce().finally(pollWhileDown);
      }, POLL_MS);
    }

    // The current state at once: a job may have moved before the stream was opened.
    void pollOnce();
    void followEventStream(
      EVENTS_PATH,
      {
        onEvent(event) {
          const job = jobFromEvent(event);
          if (job && wanted.includes(job.id)) apply([job]);
        },
        onOpen(reconnected) {
          streaming = true;
          clearTimeout(pollTimer);
          // The stream only replays the last few seconds; what changed while it was down is read.
          if (reconnected) void pollOnce();
        },
        onDown() {
          streaming = false;
          pollWhileDown();
        },
        onGiveUp() {
          streaming = false;
          pollWhileDown();
        },
      },
      controller.signal,
    );

    return () => {
      controller.abort();
      clearTimeout(pollTimer);
    };
  }, [key]);

  return jobs;
}
