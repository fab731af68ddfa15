import { useState } from "react";

import { call } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useResource } from "../../api/useResource";
import { ErrorMessage } from "../../components/Alert";
import { formatBytes, formatDuration } from "../../format";
import { Link, navigate } from "../../router";
import { lastLibraryView } from "../library/filters";
import { useJobProgress } from "../library/useJobProgress";
import { keyWithCamelot, formatBpm, keyIsUnsure, detectedKeyText } from "../../music/keys";
import { AddToCollection } from "../collections/AddToCollection";
import { Corrections } from "./Corrections";
import { EditSample } from "./EditSample";
import { FeatureTable } from "./FeatureTable";
import { SampleAudition } from "./SampleAudition";
import { SimilarList } from "./SimilarList";

interface Vibe {
  description?: string;
  moods?: string[];
  best_use?: string | null;
}

function vibeOf(value: unknown): Vibe | null {
  if (typeof value === "string") return { description: value };
  if (value && typeof value === "object" && "description" in value) return value as Vibe;
  return null;
}

export function SamplePage({ id }: { id: string }) {
  const {
    data: sample,
    error,
    reload: load,
    setData: setSample,
  } = useResource((signal) => call("get", "/api/samples/{sample_id}", { params: { sample_id: id }, signal }), [id], {
    keepPrevious: false,
  });
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const pendingJob = sample?.job && !["done", "failed", "dead", "cancelled"].includes(sample.job.status) ? sample.job.id : null;
  const jobs = useJobProgress(pendingJob ? [pendingJob] : [], load);

  async function onDelete(): Promise<void> {
    try {
      await call("delete", "/api/samples/{sample_id}", { params: { sample_id: id } });
      navigate("/library");
    } catch (caught) {
      setDeleteError(caught);
    }
  }

  // Another producer's sample answers 404 exactly like a missing one (and a malformed id 422).
  if (error instanceof ApiError && (error.status === 404 || error.status === 422)) {
    return (
      <section className="card narrow">
        <h1>Sample not found</h1>
        <p>This sample does not exist or is not in your library.</p>
        <p>
          <Link to="/library">Back to your library</Link>
        </p>
      </section>
    );
  }
  if (error) return <ErrorMessage error={error} />;
  if (!sample) return <p role="status">Loading…</p>;

  const name = sample.title || sample.filename;
  const vibe = vibeOf(sample.vibe);
  const job = pendingJob ? (jobs[pendingJob] ?? sample.job) : sample.job;
  return (
    <>
      <p>
        <Link to={lastLibraryView()}>← Library</Link>
      </p>
      <h1>{name}</h1>
      <section className="card" aria-labelledby="about-heading">
        <h2 id="about-heading">About</h2>
        <dl className="features">
          <div>
            <dt>File</dt>
            <dd>
              {sample.filename} ({sample.format.toUpperCase()}, {formatBytes(sample.size_bytes)})
            </dd>
          </div>
          <div>
            <dt>Length</dt>
            <dd>{formatDuration(sample.duration)}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              {sample.status}
              {job && job.status !== "done" && ` (analysis ${job.status}${job.status === "running" ? `, ${Math.round(job.progress * 100)} %` : ""})`}
            </dd>
          </div>
          <div>
            <dt>Tempo</dt>
            <dd>
              {formatBpm(sample.bpm)}
              {sample.corrected.includes("bpm") && sample.detected && (
                <span className="muted"> (you set it; detected {formatBpm(sample.detected.bpm)})</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Key</dt>
            <dd>
              {!sample.corrected.includes("musical_key") && keyIsUnsure(sample.detected) && sample.detected
                ? detectedKeyText(sample.detected)
                : keyWithCamelot(sample.musical_key, sample.camelot)}
              {sample.corrected.includes("musical_key") && sample.detected && (
                <span className="muted"> (you set it; detected {detectedKeyText(sample.detected)})</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Kind</dt>
            <dd>{sample.is_loop == null ? "not known" : sample.is_loop ? "Loop" : "One-shot"}</dd>
          </div>
          <div>
            <dt>Tags</dt>
            <dd>{sample.tags.length ? sample.tags.join(", ") : "none"}</dd>
          </div>
        </dl>
        <SampleAudition sample={sample} label={name} />
        <AddToCollection sampleIds={[sample.id]} />
      </section>
      <section className="card" aria-labelledby="vibe-heading">
        <h2 id="vibe-heading">Vibe</h2>
        {vibe?.description ? (
          <>
            <p className="vibe">{vibe.description}</p>
            {vibe.moods && vibe.moods.length > 0 && <p className="muted">Moods: {vibe.moods.join(", ")}</p>}
            {vibe.best_use && <p className="muted">Best use: {vibe.best_use}</p>}
          </>
        ) : (
          <p>The vibe is written once the analysis is done.</p>
        )}
      </section>
      <section className="card" aria-labelledby="features-heading">
        <h2 id="features-heading">Features</h2>
        {sample.features ? <FeatureTable features={sample.features} /> : <p>Not analysed yet.</p>}
      </section>
      <SimilarList sampleId={sample.id} analysed={sample.features != null} />
      <Corrections sample={sample} onSaved={setSample} />
      <EditSample sample={sample} onSaved={setSample} />
      <section className="card danger" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete</h2>
        {confirming ? (
          <div role="group" aria-label="Confirm deletion">
            <p>Delete “{name}” and its audio for good?</p>
            <button type="button" className="danger-button" onClick={onDelete}>
              Yes, delete it
            </button>{" "}
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <button type="button" className="danger-button" onClick={() => setConfirming(true)}>
            Delete sample
          </button>
        )}
        <ErrorMessage error={deleteError} />
      </section>
    </>
  );
}
