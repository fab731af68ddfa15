/**
 * The producer's exports, kept live: while one is queued or running the list is polled about every
 * second (the jobs SSE stream needs an Authorization header, which EventSource cannot send).
 */
import { useCallback, useEffect, useRef, useState } from "react";

import { listExports } from "./kitApi";
import type { ExportJob } from "./types";

const POLL_MS = 1000;
const PENDING = new Set(["queued", "running"]);

export function isPending(job: ExportJob): boolean {
  return PENDING.has(job.status);
}

export interface Exports {
  jobs: ExportJob[] | null;
  error: unknown;
  /** Read the list again now (after starting or deleting an export). */
  refresh: () => Promise<void>;
}

export function useExports(): Exports {
  const [jobs, setJobs] = useState<ExportJob[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const alive = useRef(true);

  const refresh = useCallback(async () => {
    try {
      const page = await listExports();
      if (!alive.current) return;
      setJobs(page.exports);
      setError(null);
    } catch (caught) {
      if (alive.current) setError(caught);
    }
  }, []);

  useEffect(() => {
    alive.current = true;
    void refresh();
    return () => {
      alive.current = false;
    };
  }, [refresh]);

  const polling = jobs?.some(isPending) ?? false;
  useEffect(() => {
    if (!polling) return;
    // One request at a time: the next poll is scheduled once this answer (or error) is in.
    const timer = window.setTimeout(() => void refresh(), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [polling, jobs, error, refresh]);

  return { jobs, error, refresh };
}
