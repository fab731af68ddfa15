import { useCallback, type FormEvent } from "react";

import { call } from "../../api/client";
import type { Job, Sample, SamplePage } from "../../api/types";
import { useResource } from "../../api/useResource";
import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { waveformOf } from "../../audio/sampleWave";
import { Waveform } from "../../audio/Waveform";
import { ErrorMessage } from "../../components/Alert";
import { formatDuration } from "../../format";
import { Link, navigate, useLocation } from "../../router";
import { KEYS, PAGE_SIZE, libraryUrl, readFilters, samplesApiQuery, type Filters } from "./filters";
import { showsNewSamples, withJob, withSample } from "./liveList";
import { UploadZone } from "./UploadZone";

export function LibraryPage() {
  const { query } = useLocation();
  const filters = readFilters(query);
  const apiQuery = samplesApiQuery(filters).toString();
  const {
    data: page,
    error,
    reload: load,
    setData: setPage,
  } = useResource<SamplePage>((signal) => call("get", "/api/samples", { query: new URLSearchParams(apiQuery), signal }), [apiQuery]);

  // Uploads and analyses update the rows in place; the list is read again once per batch.
  const plain = showsNewSamples(filters);
  const onStored = useCallback(
    (sample: Sample) => {
      if (plain) setPage((current) => (current ? withSample(current, sample) : current));
    },
    [plain],
  );
  const onJob = useCallback((job: Job) => setPage((current) => (current ? withJob(current, job) : current)), []);

  function onFilter(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Filters = {
      q: String(form.get("q") ?? ""),
      bpmMin: String(form.get("bpm_min") ?? ""),
      bpmMax: String(form.get("bpm_max") ?? ""),
      key: String(form.get("key") ?? ""),
      tags: String(form.get("tags") ?? ""),
      page: 1,
    };
    navigate(libraryUrl(next));
  }

  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;

  return (
    <>
      <h1>Library</h1>
      <UploadZone onStored={onStored} onJob={onJob} onSettled={load} />
      <section aria-labelledby="samples-heading" className="card">
        <h2 id="samples-heading">Your samples</h2>
        {/* key= resets the uncontrolled inputs when the URL changes (back button, paging). */}
        <form className="filters" onSubmit={onFilter} key={libraryUrl({ ...filters, page: 1 })} role="search">
          <div className="field">
            <label htmlFor="filter-q">Search</label>
            <input id="filter-q" name="q" defaultValue={filters.q} placeholder="title, tag or vibe" />
          </div>
          <div className="field">
            <label htmlFor="filter-bpm-min">BPM from</label>
            <input id="filter-bpm-min" name="bpm_min" type="number" min={0} max={1000} defaultValue={filters.bpmMin} />
          </div>
          <div className="field">
            <label htmlFor="filter-bpm-max">BPM to</label>
            <input id="filter-bpm-max" name="bpm_max" type="number" min={0} max={1000} defaultValue={filters.bpmMax} />
          </div>
          <div className="field">
            <label htmlFor="filter-key">Key</label>
            <select id="filter-key" name="key" defaultValue={filters.key}>
              <option value="">Any key</option>
              {KEYS.map((key) => (
                <option key={key}>{key}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-tags">Tags</label>
            <input id="filter-tags" name="tags" defaultValue={filters.tags} placeholder="drums, dusty" />
          </div>
          <button type="submit">Filter</button>
        </form>
        <ErrorMessage error={error} />
        {page && (
          <>
            <p role="status">
              {page.total === 0 ? "No samples match." : `${page.total} sample${page.total === 1 ? "" : "s"}`}
            </p>
            {/* Arrow keys move between rows and play the next one; space plays or stops. */}
            <ul className="sample-list" onKeyDown={onAuditionKeys} aria-label="Samples">
              {page.samples.map((sample) => (
                <li key={sample.id} className="sample-row" data-audition-row="">
                  <PlayButton sampleId={sample.id} title={sample.title || sample.filename} loop={sample.is_loop} />
                  <span className="sample-name">
                    <Link to={`/samples/${sample.id}`} className="sample-title">
                      {sample.title || sample.filename}
                    </Link>
                    <Waveform peaks={waveformOf(sample)} playKey={sample.id} height={28} />
                  </span>
                  <span>{formatDuration(sample.duration)}</span>
                  <span>{sample.bpm ? `${Math.round(sample.bpm)} BPM` : "– BPM"}</span>
                  <span>{sample.musical_key ?? "–"}</span>
                  <span className={`status status-${sample.status}`}>{sample.status}</span>
                  <span className="tags">{sample.tags.join(", ")}</span>
                </li>
              ))}
            </ul>
            {pages > 1 && (
              <nav aria-label="Pages" className="pager">
                <button
                  type="button"
                  disabled={filters.page <= 1}
                  onClick={() => navigate(libraryUrl({ ...filters, page: filters.page - 1 }))}
                >
                  Previous
                </button>
                <span>
                  Page {filters.page} of {pages}
                </span>
                <button
                  type="button"
                  disabled={filters.page >= pages}
                  onClick={() => navigate(libraryUrl({ ...filters, page: filters.page + 1 }))}
                >
                  Next
                </button>
              </nav>
            )}
          </>
        )}
      </section>
    </>
  );
}
