/** Past and running exports: live progress, download while they last, delete. */
import { useState } from "react";

import { ErrorMessage } from "../../components/Alert";
import { formatBytes, formatWhen } from "../../format";
import { deleteExport, downloadExport } from "./kitApi";
import type { ExportJob, ExportKind } from "./types";
import { isPending, type Exports } from "./useExports";

export const KIND_NAMES: Record<ExportKind, string> = {
  import_pack: "IMPORT pack",
  native_project: "Native project (beta)",
  samples: "Samples",
};

function statusText(job: ExportJob): string {
  switch (job.status) {
    case "queued":
      return "Waiting to start…";
    case "running":
      return `Building… ${Math.round(job.progress * 100)} %`;
    case "ready":
      return "Ready";
    case "expired":
      return "Expired: export again for a fresh copy";
    default:
      return `Failed${job.error ? `: ${job.error}` : ""}`;
  }
}

function ExportRow({ job, onChanged }: { job: ExportJob; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const name = job.file_name ?? KIND_NAMES[job.kind];

  async function run(action: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const skipped = job.report?.skipped ?? [];
  const short = job.report?.short_clips ?? [];
  return (
    <li className={`export-row export-${job.status}`} aria-label={name}>
      <div className="export-main">
        <span className="export-name">{name}</span>
        <span className="muted">
          {KIND_NAMES[job.kind]}
          {job.options.audio_format ? ` · ${job.options.audio_format.toUpperCase()}` : ""}
          {job.options.sample_count != null ? ` · ${job.options.sample_count} samples` : ""}
          {job.size_bytes != null ? ` · ${formatBytes(job.size_bytes)}` : ""}
        </span>
      </div>
      <div className="export-state">
        <span role="status" className={job.status === "failed" ? "error" : undefined}>
          {statusText(job)}
        </span>
        {isPending(job) && (
          <progress max={1} value={job.progress} aria-label={`Progress of ${name}`}>
            {Math.round(job.progress * 100)} %
          </progress>
        )}
        {job.status === "ready" && job.expires_at && (
          <span className="muted">Available until {formatWhen(job.expires_at)}</span>
        )}
      </div>
      {(skipped.length > 0 || short.length > 0) && (
        <ul className="export-notes">
          {skipped.map((item) => (
            <li key={`skip-${item.title}`}>
              Left out {item.title}: {item.reason}
            </li>
          ))}
          {short.length > 0 && <li>Very short clips: {short.join(", ")}</li>}
        </ul>
      )}
      <div className="kit-actions">
        {job.status === "ready" && (
          <button type="button" disabled={busy} onClick={() => void run(() => downloadExport(job))}>
            Download<span className="visually-hidden"> {name}</span>
          </button>
        )}
        <button
          type="button"
          className="kit-secondary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await deleteExport(job.id);
              await onChanged();
            })
          }
        >
          Delete<span className="visually-hidden"> export {name}</span>
        </button>
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}

export function ExportList({ exports, title = "Your exports" }: { exports: Exports; title?: string }) {
  const { jobs, error, refresh } = exports;
  return (
    <section className="card" aria-labelledby="exports-heading">
      <h2 id="exports-heading">{title}</h2>
      <p className="muted">Exports are kept for 7 days, then removed.</p>
      <ErrorMessage error={error} />
      {jobs && jobs.length === 0 && <p>No exports yet.</p>}
      {jobs && jobs.length > 0 && (
        <ul className="export-list" aria-label="Exports">
          {jobs.map((job) => (
            <ExportRow key={job.id} job={job} onChanged={refresh} />
          ))}
        </ul>
      )}
    </section>
  );
}
