/**
 * This tab's uploads, kept outside any page. A producer may drop a batch on the library, go to
 * Collections while it sends and come back: the batch is still listed with its progress, and
 * every file stored from then on shows up in the library list that is open, not only in the
 * one that started the batch. Leaving the page itself asks first (leaveGuard.ts); signing out
 * forgets it all (the session's requests are aborted with it).
 */
import { onSessionEnd } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { Sample } from "../../api/types";
import { duplicateOf, uploadSample, type UploadResult } from "../../api/upload";
import { holdPage } from "./leaveGuard";
import { provisionalSample } from "./liveList";

export interface UploadItem {
  key: string;
  name: string;
  progress: number;
  state: "uploading" | "stored" | "failed" | "duplicate";
  error?: unknown;
  sampleId?: string;
  jobId?: string | null;
  quotaWarning?: string | null;
}

/** What the last batch did: how many files were stored, skipped as duplicates, refused. */
export interface BatchReport {
  stored: number;
  duplicates: number;
  failed: number;
}

export interface Uploads {
  /** Newest first, across batches. */
  items: UploadItem[];
  report: BatchReport | null;
  /** Batches whose files are all answered, by the jobs they started, until those finish. */
  waiting: string[][];
}

/** How one file is sent; the tests give their own. */
export type Send = (file: File, tags: string, onProgress: (fraction: number) => void) => Promise<UploadResult>;

const EMPTY: Uploads = { items: [], report: null, waiting: [] };
let uploads: Uploads = EMPTY;
let batches = 0;
const changeListeners = new Set<() => void>();
const storedListeners = new Set<(sample: Sample) => void>();
const settledListeners = new Set<() => void>();

function change(next: Uploads): void {
  uploads = next;
  changeListeners.forEach((listener) => listener());
}

function update(key: string, patch: Partial<UploadItem>): void {
  change({ ...uploads, items: uploads.items.map((item) => (item.key === key ? { ...item, ...patch } : item)) });
}

function settled(): void {
  settledListeners.forEach((listener) => listener());
}

onSessionEnd(() => change(EMPTY));

/** The uploads as they stand (the same object until something changes: useSyncExternalStore). */
export function currentUploads(): Uploads {
  return uploads;
}

/** Hear every change of `currentUploads()`. */
export function subscribeUploads(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

/** Hear each file stored, as its row will be listed, from whichever page sent it. */
export function onSampleStored(listener: (sample: Sample) => void): () => void {
  storedListeners.add(listener);
  return () => storedListeners.delete(listener);
}

/**
 * Hear when a batch has settled: every file answered and every analysis it started finished
 * (`settleBatches` tells the latter). The list is worth reading again then, once.
 */
export function onBatchSettled(listener: () => void): () => void {
  settledListeners.add(listener);
  return () => settledListeners.delete(listener);
}

/** Drop the waiting batches whose jobs have all finished, and say each one settled. */
export function settleBatches(done: (jobIds: string[]) => boolean): void {
  const left = uploads.waiting.filter((ids) => !done(ids));
  if (left.length === uploads.waiting.length) return;
  change({ ...uploads, waiting: left });
  settled();
}

/** Send `files` one at a time (the Free plan allows one upload in flight) with `tags`. */
export async function uploadBatch(files: File[], tags: string, send: Send = uploadSample): Promise<void> {
  if (files.length === 0) return;
  batches += 1;
  const added: UploadItem[] = files.map((file, n) => ({
    key: `${batches}-${n}-${file.name}`,
    name: file.name,
    progress: 0,
    state: "uploading",
  }));
  change({ ...uploads, items: [...added, ...uploads.items], report: null });
  const started: string[] = [];
  const report: BatchReport = { stored: 0, duplicates: 0, failed: 0 };
  // Leaving the page would drop the files not yet sent: the browser asks first.
  const release = holdPage();
  try {
    for (const [n, file] of files.entries()) {
      const key = added[n].key;
      try {
        const result = await send(file, tags, (progress) => update(key, { progress }));
        update(key, {
          state: "stored",
          progress: 1,
          sampleId: result.body.sample_id,
          jobId: result.body.job_id,
          quotaWarning: result.quotaWarning,
        });
        report.stored += 1;
        if (result.body.job_id) started.push(result.body.job_id);
        const row = provisionalSample(result.body, file.name, tags);
        storedListeners.forEach((listener) => listener(row));
      } catch (error) {
        const existing = duplicateOf(error);
        if (existing) {
          // The same audio is already a sample: nothing was stored, the existing one is linked.
          update(key, { state: "duplicate", sampleId: existing, progress: 1 });
          report.duplicates += 1;
          continue;
        }
        report.failed += 1;
        update(key, { state: "failed", error });
        // Past a quota, or told to slow down, the rest would be refused the same way: say so
        // once instead of sending each file to be refused.
        if (error instanceof ApiError && (error.isQuota || error.isBusy)) {
          added.slice(n + 1).forEach((rest) => update(rest.key, { state: "failed", error }));
          report.failed += added.length - n - 1;
          break;
        }
        if (error instanceof DOMException && error.name === "AbortError") break; // signed out
      }
    }
  } finally {
    release();
  }
  const shown = files.length > 1 || report.duplicates > 0 ? report : null;
  // Signed out meanwhile: the batch was forgotten with the session.
  if (!uploads.items.some((item) => item.key === added[0].key)) return;
  change({ ...uploads, report: shown });
  if (report.stored === 0) return;
  // Read the list once: now when no analysis runs, else when the last one finishes.
  if (started.length === 0) settled();
  else change({ ...uploads, waiting: [...uploads.waiting, started] });
}
