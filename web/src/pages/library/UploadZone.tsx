/** Drop files or pick them; each uploads with its own progress bar and, after, its analysis state. */
import { useId, useRef, useState, type DragEvent } from "react";

import { ApiError, messageOf } from "../../api/errors";
import type { Job } from "../../api/types";
import { uploadSample } from "../../api/upload";
import { Link } from "../../router";
import { useJobProgress } from "./useJobProgress";

interface UploadItem {
  key: string;
  name: string;
  progress: number;
  state: "uploading" | "stored" | "failed";
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

export function UploadZone({ onUploaded }: { onUploaded: () => void }) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [tags, setTags] = useState("");
  const picker = useRef<HTMLInputElement>(null);
  const tagsId = useId();
  const jobs = useJobProgress(
    items.flatMap((item) => (item.jobId ? [item.jobId] : [])),
    onUploaded,
  );

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
        onUploaded();
      } catch (error) {
        update(key, { state: "failed", error });
        // Past a quota the rest would fail the same way; say so once instead of per file.
        if (error instanceof ApiError && error.isQuota) {
          added.slice(n + 1).forEach((rest) => update(rest.key, { state: "failed", error }));
          return;
        }
      }
    }
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
              {item.state === "failed" && (
                <span className={item.error instanceof ApiError && item.error.isQuota ? "error quota" : "error"} role="alert">
                  {item.error instanceof ApiError && item.error.isQuota ? "Quota reached: " : "Failed: "}
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
