/**
 * Keeping the library list current without reading it again per file: an upload's answer adds
 * its row, job events move its status, and the page reads the list once when a batch settles.
 */
import { parseTags } from "../../format";
import type { Job, Sample, SamplePage, UploadAccepted } from "../../api/types";
import { PAGE_SIZE, type Filters } from "./filters";

/** The row an accepted upload will have (the server's title and tag rules), until the list is read. */
export function provisionalSample(accepted: UploadAccepted, fileName: string, tags: string, now = new Date()): Sample {
  const stem = fileName.replace(/\.[^.]*$/, "");
  const title = stem.split(/\s+/).filter(Boolean).join(" ").slice(0, 200) || "Untitled";
  return {
    id: accepted.sample_id,
    title,
    filename: accepted.filename || fileName,
    format: "",
    size_bytes: 0,
    duration: null,
    sample_rate: null,
    channels: null,
    genre: null,
    tags: parseTags(tags),
    bpm: null,
    musical_key: null,
    is_loop: null,
    status: accepted.status,
    created_at: now.toISOString(),
  };
}

/** Whether a new sample belongs at the top of this view (page 1, nothing filtered). */
export function showsNewSamples(filters: Filters): boolean {
  const newestFirst = !filters.sort || filters.sort === "created_desc";
  return (
    filters.page === 1 && newestFirst && !filters.loop && !filters.q && !filters.bpmMin && !filters.bpmMax && !filters.key && !filters.tags
  );
}

/** The page with `sample` added first (once), still one page long. */
export function withSample(page: SamplePage, sample: Sample): SamplePage {
  if (page.samples.some((row) => row.id === sample.id)) return page;
  return { ...page, samples: [sample, ...page.samples].slice(0, PAGE_SIZE), total: page.total + 1 };
}

const SAMPLE_STATUS: Partial<Record<Job["status"], Sample["status"]>> = {
  queued: "pending",
  running: "processing",
  done: "ready",
  failed: "failed",
  dead: "failed",
  deferred: "deferred",
};

/** The page with the status a job event implies for its sample; the same page when none. */
export function withJob(page: SamplePage, job: Job): SamplePage {
  const status = SAMPLE_STATUS[job.status];
  if (!status || !job.sample_id) return page;
  const row = page.samples.find((sample) => sample.id === job.sample_id);
  if (!row || row.status === status) return page;
  return {
    ...page,
    samples: page.samples.map((sample) => (sample.id === job.sample_id ? { ...sample, status } : sample)),
  };
}
