import { useCallback, useEffect, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import type { Job, Sample, SamplePage } from "../../api/types";
import { useResource } from "../../api/useResource";
import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { waveformOf } from "../../audio/sampleWave";
import { Waveform } from "../../audio/Waveform";
import { ErrorMessage } from "../../components/Alert";
import { formatDuration } from "../../format";
import { shownKey } from "../../music/keys";
import { Link, navigate, useLocation } from "../../router";
import { BulkActions } from "./BulkActions";
import {
  KEYS,
  PAGE_SIZE,
  libraryUrl,
  readFilters,
  rememberLibraryView,
  samplesApiQuery,
  type Filters,
  type Sort,
} from "./filters";
import { showsNewSamples, withJob, withSample } from "./liveList";
import { UploadZone } from "./UploadZone";

/** The sortable columns: the API's sort options (added date both ways, title, tempo, length). */
const SORT_COLUMNS: { label: string; sorts: [Sort, ...Sort[]] }[] = [
  { label: "Title", sorts: ["title"] },
  { label: "Added", sorts: ["created_desc", "created_asc"] },
  { label: "Length", sorts: ["duration"] },
  { label: "BPM", sorts: ["bpm"] },
];

export function LibraryPage() {
  const { query } = useLocation();
  const filters = readFilters(query);
  const apiQuery = samplesApiQuery(filters).toString();
  const view = libraryUrl(filters);
  // A sample page's "← Library" comes back to this view, filters and all.
  useEffect(() => rememberLibraryView(view), [view]);
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
  // Ticked rows, kept by id while the page stays the same list.
  const [picked, setPicked] = useState<Map<string, Sample>>(new Map());

  function toggle(sample: Sample, on: boolean): void {
    setPicked((current) => {
      const next = new Map(current);
      if (on) next.set(sample.id, sample);
      else next.delete(sample.id);
      return next;
    });
  }

  function sortBy(sorts: Sort[]): void {
    const current = filters.sort ?? "created_desc";
    const at = sorts.indexOf(current);
    navigate(libraryUrl({ ...filters, sort: sorts[(at + 1) % sorts.length], page: 1 }));
  }

  function onFilter(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Filters = {
      q: String(form.get("q") ?? ""),
      bpmMin: String(form.get("bpm_min") ?? ""),
      bpmMax: String(form.get("bpm_max") ?? ""),
      halfDouble: form.get("half_double") === "on",
      key: String(form.get("key") ?? ""),
      keyMatch: (String(form.get("key_match") ?? "exact") as Filters["keyMatch"]) ?? "exact",
      loop: String(form.get("loop") ?? "") as Filters["loop"],
      tags: String(form.get("tags") ?? ""),
      sort: filters.sort,
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
            <label htmlFor="filter-key-match">Key match</label>
            <select id="filter-key-match" name="key_match" defaultValue={filters.keyMatch ?? "exact"}>
              <option value="exact">Exact</option>
              <option value="relative">Relative too</option>
              <option value="compatible">Compatible</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-loop">Kind</label>
            <select id="filter-loop" name="loop" defaultValue={filters.loop ?? ""}>
              <option value="">Any kind</option>
              <option value="loop">Loops</option>
              <option value="one-shot">One-shots</option>
            </select>
          </div>
          <div className="field field-check">
            <label>
              <input type="checkbox" name="half_double" defaultChecked={filters.halfDouble} /> Half and double time too
            </label>
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
              {page.total === 0
                ? plain
                  ? "Your library is empty: upload audio to start."
                  : "No samples match."
                : `${page.total} sample${page.total === 1 ? "" : "s"}`}
            </p>
            {page.key_filter && (
              <p className="key-filter-keys" role="note" aria-label="Keys matched">
                Keys matched:{" "}
                {page.key_filter.keys.map((key, n) => (
                  <span key={key.key} className="key-chip">
                    {n > 0 && ", "}
                    {key.key} ({key.camelot}
                    {key.relation && key.relation !== "same" ? `, ${key.relation}` : ""})
                  </span>
                ))}
              </p>
            )}
            {picked.size > 0 && (
              <BulkActions
                selected={[...picked.values()]}
                onClear={() => setPicked(new Map())}
                onChanged={() => void load()}
              />
            )}
            <div className="sample-head" role="group" aria-label="Sort and select">
              <label className="sample-pick">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={page.samples.length > 0 && page.samples.every((sample) => picked.has(sample.id))}
                  onChange={(event) => page.samples.forEach((sample) => toggle(sample, event.target.checked))}
                />
              </label>
              <span aria-hidden="true" />
              {SORT_COLUMNS.map(({ label, sorts }) => {
                const active = sorts.includes(filters.sort ?? "created_desc");
                const arrow = !active ? "" : filters.sort === "created_desc" || !filters.sort ? " ↓" : " ↑";
                return (
                  <button
                    key={label}
                    type="button"
                    className={active ? "sort-button active" : "sort-button"}
                    aria-pressed={active}
                    aria-label={`Sort by ${label.toLowerCase()}${active && label === "Added" ? (arrow === " ↓" ? ", newest first" : ", oldest first") : ""}`}
                    onClick={() => sortBy(sorts)}
                  >
                    {label}
                    {arrow}
                  </button>
                );
              })}
              <span className="sample-head-label">Key</span>
              <span className="sample-head-label">Kind</span>
              <span className="sample-head-label">Status</span>
              <span className="sample-head-label">Tags</span>
            </div>
            {/* Arrow keys move between rows and play the next one; space plays or stops. */}
            <ul className="sample-list" onKeyDown={onAuditionKeys} aria-label="Samples">
              {page.samples.map((sample) => (
                <li key={sample.id} className="sample-row" data-audition-row="">
                  <input
                    type="checkbox"
                    className="sample-pick"
                    aria-label={`Select ${sample.title || sample.filename}`}
                    checked={picked.has(sample.id)}
                    onChange={(event) => toggle(sample, event.target.checked)}
                  />
                  <PlayButton sampleId={sample.id} title={sample.title || sample.filename} loop={sample.is_loop} />
                  <span className="sample-name">
                    <Link to={`/samples/${sample.id}`} className="sample-title">
                      {sample.title || sample.filename}
                    </Link>
                    <Waveform peaks={waveformOf(sample)} playKey={sample.id} height={28} />
                  </span>
                  <span data-label="Length">{formatDuration(sample.duration)}</span>
                  <span data-label="Tempo">
                    {sample.bpm ? `${Math.round(sample.bpm)} BPM` : sample.status === "ready" ? "no tempo" : "–"}
                  </span>
                  <span data-label="Key" className="sample-key">
                    {sample.musical_key || sample.status === "ready" ? shownKey(sample) : "–"}
                  </span>
                  <span data-label="Kind">{sample.is_loop == null ? "–" : sample.is_loop ? "Loop" : "One-shot"}</span>
                  <span data-label="Status" className={`status status-${sample.status}`}>
                    {sample.status}
                  </span>
                  <span data-label="Tags" className="tags">
                    {sample.tags.join(", ") || "–"}
                  </span>
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
