/**
 * Drop files or pick them; each uploads with its own progress bar and, after, its analysis state.
 * The list learns of each file from its upload's answer and of its analysis from the shared job
 * stream; the page reads the list once when a whole batch has settled.
 */
import { useEffect, useId, useRef, useState, type DragEvent } from "react";

import { ApiError, messageOf } from "../../api/errors";
import { isFinished } from "../../api/jobFeed";
import type { Job, Sample } from "../../api/types";
import { duplicateOf, uploadSample } from "../../api/upload";
import { Link } from "../../router";
import { holdPage } from "./leaveGuard";
import { provisionalSample } from "./liveList";
import { useJobProgress } from "./useJobProgress";

interface UploadItem {
  key: string;
  name: string;
  progress: number;
  state: "uploading" | "stored" | "failed" | "duplicate";
  error?: unknown;
  sampleId?: string;
  jobId?: string | null;
  quotaWarning?: string | null;
}

const ACCEPT = ".wav,.aif,.aiff,.flac,.ogg,.mp3,audio/*";

function jobLabel(job: Job | undefined, item: UploadItem): string {
  if (item.jobId == null) return "Stored (analysis is off)";
  if (!job) return "Queued for analysis";
  switch (job.status) {
    case "queued":
      return "Queued for analysis";
    case "running":
      return `Analysing… ${Math.round(job.progress * 100)} %`;
    case "done":
      return "Analysed";
    case "deferred":
      return "Analysis waits for next period (quota reached)";
    default:
      return `Analysis ${job.status}${job.last_error ? `: ${job.last_error}` : ""}`;
  }
}

interface Props {
  /** A file was stored: its row, as the server will list it. */
  onStored: (sample: Sample) => void;
  /** One of the uploaded samples' analysis moved. */
  onJob: (job: Job) => void;
  /** Every upload of a batch is answered and every analysis it started has finished. */
  onSettled: () => void;
}

export function UploadZone({ onStored, onJob, onSettled }: Props) {
  const [items, setItems] = useState<UploadItem[]>([]);
  // What the last batch did, in one line: how many were stored, skipped as duplicates, refused.
  const [report, setReport] = useState<{ stored: number; duplicates: number; failed: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [tags, setTags] = useState("");
  // Batches whose uploads are all answered, with the jobs they started, until those finish.
  const [waiting, setWaiting] = useState<string[][]>([]);
  const picker = useRef<HTMLInputElement>(null);
  const tagsId = useId();
  const jobs = useJobProgress(
    items.flatMap((item) => (item.jobId ? [item.jobId] : [])),
    onJob,
  );
  const settledCallback = useRef(onSettled);
  settledCallback.current = onSettled;

  useEffect(() => {
    const done = (ids: string[]) => ids.every((id) => jobs[id] && isFinished(jobs[id]));
    if (waiting.length === 0 || !waiting.some(done)) return;
    setWaiting((all) => all.filter((ids) => !done(ids)));
    settledCallback.current();
  }, [jobs, waiting]);

  function update(key: string, patch: Partial<UploadItem>): void {
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }

  async function uploadAll(files: File[]): Promise<void> {
    const added = files.map((file, n) => ({
      key: `${Date.now()}-${n}-${file.name}`,
      name: file.name,
      progress: 0,
      state: "uploading" as const,
    }));
    setItems((all) => [...added, ...all]);
    const started: string[] = [];
    let stored = 0;
    let duplicates = 0;
    let failed = 0;
    setReport(null);
    // Leaving the page would drop the files not yet sent: the browser asks first.
    const release = holdPage();
    try {
      // One at a time: the Free plan allows a single upload in flight.
      for (const [n, file] of files.entries()) {
        const key = added[n].key;
        try {
          const result = await uploadSample(file, tags, (progress) => update(key, { progress }));
          update(key, {
            state: "stored",
            progress: 1,
            sampleId: result.body.sample_id,
            jobId: result.body.job_id,
            quotaWarning: result.quotaWarning,
          });
          stored += 1;
          if (result.body.job_id) started.push(result.body.job_id);
          onStored(provisionalSample(result.body, file.name, tags));
        } catch (error) {
          const existing = duplicateOf(error);
          if (existing) {
            // The same audio is already a sample: nothing was stored, the existing one is linked.
            update(key, { state: "duplicate", sampleId: existing, progress: 1 });
            duplicates += 1;
            continue;
          }
          failed += 1;
          update(key, { state: "failed", error });
          // Past a quota, or told to slow down, the rest would be refused the same way: say so
          // once instead of sending each file to be refused.
          if (error instanceof ApiError && (error.isQuota || error.isBusy)) {
            added.slice(n + 1).forEach((rest) => update(rest.key, { state: "failed", error }));
            failed += added.length - n - 1;
            break;
          }
          if (error instanceof DOMException && error.name === "AbortError") break; // signed out
        }
      }
    } finally {
      release();
    }
    if (files.length > 1 || duplicates > 0) setReport({ stored, duplicates, failed });
    if (stored === 0) return;
    // Read the list once: now when no analysis runs, else when the last one finishes.
    if (started.length === 0) onSettled();
    else setWaiting((all) => [...all, started]);
  }

  function onDrop(event: DragEvent<HTMLDivElement>): void {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length) void uploadAll(files);
  }

  return (
    <section aria-labelledby="upload-heading" className="card">
      <h2 id="upload-heading">Upload</h2>
      <div className="field">
        <label htmlFor={tagsId}>Tags for these uploads (comma-separated, optional)</label>
        <input id={tagsId} value={tags} onChange={(e) => setTags(e.target.value)} placeholder="drums, dusty" />
      </div>
      <div
        className={dragging ? "dropzone dragging" : "dropzone"}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop WAV, AIFF, FLAC, OGG or MP3 files here, or</p>
        <button type="button" onClick={() => picker.current?.click()}>
          Choose files
        </button>
        <input
          ref={picker}
          type="file"
          accept={ACCEPT}
          multiple
          className="visually-hidden"
          aria-label="Audio files to upload"
          tabIndex={-1}
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = "";
            if (files.length) void uploadAll(files);
          }}
        />
      </div>
      {report && (
        <p className="upload-report" role="status" aria-label="Upload report">
          {report.stored} uploaded
          {report.duplicates > 0 && `, ${report.duplicates} skipped: already in your library`}
          {report.failed > 0 && `, ${report.failed} failed`}.
        </p>
      )}
      {items.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {items.map((item) => (
            <li key={item.key} className={`upload upload-${item.state}`}>
              <span className="upload-name">{item.name}</span>
              {item.state === "uploading" && (
                <progress max={1} value={item.progress} aria-label={`Uploading ${item.name}`}>
                  {Math.round(item.progress * 100)} %
                </progress>
              )}
              {item.state === "stored" && (
                <span role="status">
                  Uploaded · {jobLabel(item.jobId ? jobs[item.jobId] : undefined, item)}
                  {item.sampleId && (
                    <>
                      {" "}
                      · <Link to={`/samples/${item.sampleId}`}>Open</Link>
                    </>
                  )}
                </span>
              )}
              {item.state === "duplicate" && (
                <span role="status" className="warning">
                  Already in your library
                  {item.sampleId && (
                    <>
                      {" "}
                      · <Link to={`/samples/${item.sampleId}`}>Open the sample you have</Link>
                    </>
                  )}
                </span>
              )}
              {item.state === "failed" && (
                <span className={item.error instanceof ApiError && item.error.isQuota ? "error quota" : "error"} role="alert">
                  {item.error instanceof ApiError && item.error.isQuota
                    ? "Quota reached: "
                    : item.error instanceof ApiError && item.error.isBusy
                      ? "Not sent: "
                      : "Failed: "}
                  {messageOf(item.error)}
                </span>
              )}
              {item.quotaWarning && <span className="warning">{item.quotaWarning}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
