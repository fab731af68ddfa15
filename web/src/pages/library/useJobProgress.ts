/**
 * Live analysis progress of some jobs, from the app's one shared job stream (api/jobFeed.ts):
 * watching more jobs never opens another stream or polls each job.
 */
import { useEffect, useRef, useState } from "react";

import { isFinished, knownJob, watchJobs } from "../../api/jobFeed";
import type { Job } from "../../api/types";

export { isFinished, jobFromEvent } from "../../api/jobFeed";

/**
 * The latest state of each job id given. `onFinished` hears each job that finishes;
 * `onSettled` is called once when every job given has finished.
 */
export function useJobProgress(
  jobIds: string[],
  onFinished?: (job: Job) => void,
  onSettled?: () => void,
): Record<string, Job> {
  const [jobs, setJobs] = useState<Record<string, Job>>({});
  const finished = useRef(onFinished);
  const settled = useRef(onSettled);
  finished.current = onFinished;
  settled.current = onSettled;
  const key = jobIds.join(",");

  useEffect(() => {
    if (!key) return;
    const wanted = new Set(key.split(","));
    const state: Record<string, Job> = {};
    wanted.forEach((id) => {
      const job = knownJob(id);
      if (job) state[id] = job;
    });
    const allDone = (): boolean => [...wanted].every((id) => state[id] && isFinished(state[id]));
    let wasSettled = allDone();
    return watchJobs([...wanted], (job) => {
      if (!wanted.has(job.id)) return;
      const before = state[job.id];
      state[job.id] = job;
      setJobs((all) => ({ ...all, [job.id]: job }));
      if (isFinished(job) && !(before && isFinished(before))) finished.current?.(job);
      if (!wasSettled && allDone()) {
        wasSettled = true;
        settled.current?.();
      }
    });
  }, [key]);

  return jobs;
}
