/**
 * "Download my data": POST /api/account/export starts a ZIP built in the background; its status
 * is polled, and when it is ready the ZIP is fetched with the token and saved. The platform also
 * e-mails a link, so closing the page loses nothing.
 */
import { useEffect, useState } from "react";

import { call, callRaw } from "../../api/client";
import { ErrorMessage, Note } from "../../components/Alert";
import { formatBytes } from "../../format";
import { blobOf, saveBlob } from "./request";
import type { AccountExport } from "./types";

const POLL_MS = 1500;

function inProgress(job: AccountExport | null): boolean {
  return job !== null && (job.status === "queued" || job.status === "running");
}

export function DataExport() {
  const [job, setJob] = useState<AccountExport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [savedOnce, setSavedOnce] = useState(false);

  const exportId = job?.id;
  const running = inProgress(job);

  useEffect(() => {
    if (!exportId || !running) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      call("get", "/api/account/exports/{export_id}", { params: { export_id: exportId }, signal: controller.signal })
        .then((next) => {
          setJob(next);
          // The producer asked for the file: save it as soon as it is built.
          if (next.status === "ready") void save(next);
        })
        .catch((caught: unknown) => {
          if (!controller.signal.aborted) setError(caught);
        });
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // `job` is a dependency so that every answer still in progress schedules the next poll.
  }, [exportId, running, job]);

  async function save(ready: AccountExport): Promise<void> {
    setSaving(true);
    setError(null);
    try {
      const { blob, name } = await blobOf(
        callRaw("get", "/api/account/exports/{export_id}/download", { params: { export_id: ready.id }, cache: "no-store" }),
      );
      saveBlob(blob, name ?? `sp404-data-${ready.id}.zip`);
      setSavedOnce(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  async function start(): Promise<void> {
    setStarting(true);
    setError(null);
    setSavedOnce(false);
    try {
      setJob(await call("post", "/api/account/export"));
    } catch (caught) {
      setError(caught);
    } finally {
      setStarting(false);
    }
  }

  return (
    <section className="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Your data</h2>
      <p>
        Download a ZIP of everything your account holds: profile, preferences, samples with their audio,
        analyses, collections, kits, usage, invoices and sessions. We also e-mail you a link when it is
        ready; it stays available for 7 days.
      </p>
      {running && job && (
        <div role="status">
          <p>Preparing your export… {Math.round(job.progress * 100)} %</p>
          <progress className="export-progress" max={1} value={job.progress} aria-label="Export progress" />
        </div>
      )}
      {job?.status === "ready" && (
        <Note tone="success">
          Your export is ready{job.size_bytes != null ? ` (${formatBytes(job.size_bytes)})` : ""}.
          {saving ? " Downloading…" : savedOnce ? " The ZIP was saved to your downloads." : ""}
        </Note>
      )}
      {job?.status === "failed" && (
        <div className="alert alert-error" role="alert">
          The export failed{job.error ? ` (${job.error})` : ""}. Please try again.
        </div>
      )}
      <ErrorMessage error={error} />
      <div className="button-row">
        <button type="button" onClick={start} disabled={starting || running}>
          Download my data
        </button>
        {job?.status === "ready" && (
          <button type="button" className="secondary-button" onClick={() => save(job)} disabled={saving}>
            Save the ZIP again
          </button>
        )}
      </div>
    </section>
  );
}
