/**
 * Live analysis progress of freshly uploaded samples. The SSE stream (/api/jobs/events) only
 * accepts an Authorization header, which EventSource cannot send, and the API has no other way to
 * pass the token; so each unfinished job is polled every 2 s instead.
 */
import { useEffect, useRef, useState } from "react";

import { api } from "../../api/client";
import type { Job } from "../../api/types";

const POLL_MS = 2000;
const FINISHED = new Set(["done", "failed", "dead", "cancelled", "deferred"]);

export function isFinished(job: Job): boolean {
  return FINISHED.has(job.status);
}

/** The latest state of each job id given; polling stops when every job has finished. */
export function useJobProgress(jobIds: string[], onFinished?: () => void): Record<string, Job> {
  const [jobs, setJobs] = useState<Record<string, Job>>({});
  const latest = useRef(jobs);
  latest.current = jobs;
  const finishedCallback = useRef(onFinished);
  finishedCallback.current = onFinished;
  const key = jobIds.join(",");

  useEffect(() => {
    if (!key) return;
    let stopped = false;
    let timer: number | undefined;
    async function poll(): Promise<void> {
      const pending = key.split(",").filter((id) => !latest.current[id] || !isFinished(latest.current[id]));
      if (pending.length === 0) return;
      const results = await Promise.allSettled(pending.map((id) => api<Job>(`/api/jobs/${id}`)));
      if (stopped) return;
      const updates: Record<string, Job> = {};
      let newlyFinished = false;
      results.forEach((result) => {
        if (result.status === "fulfilled") {
          updates[result.value.id] = result.value;
          if (isFinished(result.value)) newlyFinished = true;
        }
      });
      setJobs((previous) => ({ ...previous, ...updates }));
      if (newlyFinished) finishedCallback.current?.();
      timer = window.setTimeout(poll, POLL_MS);
    }
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [key]);

  return jobs;
}
