/**
 * Drop files or pick them; each uploads with its own progress bar and, after, its analysis state.
 * The batches live in uploadBatches.ts, outside this page: they carry on while the producer is
 * elsewhere in the app and are listed again on return. The list learns of each file from its
 * upload's answer and of its analysis from the shared job stream; the page reads the list once
 * when a whole batch has settled.
 */
import { useEffect, useId, useRef, useState, useSyncExternalStore, type DragEvent } from "react";

import { ApiError, messageOf } from "../../api/errors";
import { isFinished } from "../../api/jobFeed";
import type { Job, Sample } from "../../api/types";
import { Link } from "../../router";
import {
  currentUploads,
  onBatchSettled,
  onSampleStored,
  settleBatches,
  subscribeUploads,
  uploadBatch,
  type UploadItem,
} from "./uploadBatches";
import { useJobProgress } from "./useJobProgress";

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
  const { items, report, waiting } = useSyncExternalStore(subscribeUploads, currentUploads);
  const [dragging, setDragging] = useState(false);
  const [tags, setTags] = useState("");
  const picker = useRef<HTMLInputElement>(null);
  const tagsId = useId();
  const jobs = useJobProgress(
    items.flatMap((item) => (item.jobId ? [item.jobId] : [])),
    onJob,
  );
  const storedCallback = useRef(onStored);
  storedCallback.current = onStored;
  const settledCallback = useRef(onSettled);
  settledCallback.current = onSettled;

  useEffect(() => onSampleStored((sample) => storedCallback.current(sample)), []);
  useEffect(() => onBatchSettled(() => settledCallback.current()), []);
  useEffect(() => {
    if (waiting.length === 0) return;
    settleBatches((ids) => ids.every((id) => jobs[id] && isFinished(jobs[id])));
  }, [jobs, waiting]);

  function uploadAll(files: File[]): void {
    void uploadBatch(files, tags);
  }

  function onDrop(event: DragEvent<HTMLDivElement>): void {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length) uploadAll(files);
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
            if (files.length) uploadAll(files);
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
