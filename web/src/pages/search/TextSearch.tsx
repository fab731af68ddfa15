/** "Vibe" search: words matched against titles, tags, genres and vibe descriptions, best first. */
import { useEffect, useState, type FormEvent } from "react";

import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { waveformOf } from "../../audio/sampleWave";
import { Waveform } from "../../audio/Waveform";
import { ErrorMessage } from "../../components/Alert";
import { Link, navigate, useLocation } from "../../router";
import { SampleFacts } from "../collections/SampleFacts";
import { KEYS } from "../library/filters";
import { filterProblem, hasFilters, readTextSearch, searchApiQuery, similarTo, textSearchUrl, type KeyReach, type TypeFilter } from "./query";
import type { SearchAnswer, SearchHit } from "./types";

// The API filters and ranks; the page shows the best matches and asks for more on demand.
const PAGE = 20;
const EXAMPLES = ["dusty drums", "warm keys", '"vinyl crackle"', "kick -808"];

interface Found {
  /** The search (words and filters) as its page URL, so a stale answer is never shown. */
  url: string;
  hits: SearchHit[];
  total: number;
  /** The key filter as the API understood it, with every key it kept. */
  keyFilter: SearchAnswer["key_filter"];
}

function Tips() {
  return (
    <div className="search-tips">
      <p>
        Describe a sound in a few words. Search reads titles, tags, genres and the vibe written when a sample is
        analysed. Use “quotes” for a phrase, <code>or</code> for either word and <code>-word</code> to leave a word out.
      </p>
      <p>
        Try:{" "}
        {EXAMPLES.map((example, index) => (
          <span key={example}>
            {index > 0 && ", "}
            <Link to={textSearchUrl({ q: example, bpmMin: "", bpmMax: "", key: "", type: "" })}>{example}</Link>
          </span>
        ))}
      </p>
    </div>
  );
}

function Hit({ hit }: { hit: SearchHit }) {
  const name = hit.title || hit.filename;
  return (
    <li className="hit" data-audition-row="">
      <PlayButton sampleId={hit.id} title={name} loop={hit.is_loop} />
      <Link to={`/samples/${hit.id}`} className="sample-title">
        {name}
      </Link>
      <Waveform peaks={waveformOf(hit)} playKey={hit.id} height={24} className="hit-wave" />
      <SampleFacts sample={hit} />
      {hit.tags.length > 0 && <span className="tags">{hit.tags.join(", ")}</span>}
      {hit.vibe && <p className="hit-vibe">{hit.vibe}</p>}
      <Link to={similarTo(hit.id)} className="similar-link" aria-label={`Find similar to ${name}`}>
        Find similar
      </Link>
    </li>
  );
}

export function TextSearch() {
  const { query } = useLocation();
  const state = readTextSearch(query);
  const url = textSearchUrl(state);
  const problem = filterProblem(state);
  const searching = Boolean(state.q) && !problem;
  const [moreError, setMoreError] = useState<unknown>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [formProblem, setFormProblem] = useState<string | null>(null);

  useEffect(() => {
    setFormProblem(null);
    setMoreError(null);
  }, [url]);

  const first = useResource(
    async (signal): Promise<Found> => {
      const answer = await call("get", "/api/search", { query: searchApiQuery(state, PAGE, 0), signal });
      return { url, hits: answer.results, total: answer.total, keyFilter: answer.key_filter };
    },
    [url],
    { keepPrevious: false, enabled: searching },
  );
  const found = searching ? first.data : null;
  const error = searching ? (moreError ?? first.error) : null;
  const busy = searching && (first.loading || moreBusy);

  async function onMore(): Promise<void> {
    if (!found) return;
    setMoreBusy(true);
    try {
      const answer = await call("get", "/api/search", { query: searchApiQuery(state, PAGE, found.hits.length) });
      first.setData({ ...found, hits: [...found.hits, ...answer.results], total: answer.total });
    } catch (caught) {
      setMoreError(caught);
    } finally {
      setMoreBusy(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = {
      q: String(form.get("q") ?? ""),
      bpmMin: String(form.get("bpm_min") ?? ""),
      bpmMax: String(form.get("bpm_max") ?? ""),
      halfDouble: form.get("half_double") === "on",
      key: String(form.get("key") ?? ""),
      keyMatch: String(form.get("key_match") ?? "exact") as KeyReach,
      type: String(form.get("type") ?? "") as TypeFilter,
    };
    const wrong = filterProblem(next);
    setFormProblem(wrong);
    if (!wrong) navigate(textSearchUrl(next));
  }

  const filtering = hasFilters(state);
  const current = found && found.url === url ? found : null;
  const more = current ? current.hits.length < current.total : false;
  const narrowed = filtering ? " with these filters" : "";
  const wrongFilters = formProblem ?? problem;

  return (
    <>
      {/* key= resets the uncontrolled fields when the URL changes (back button, example links). */}
      <form role="search" aria-label="Search your library" className="card search-form" onSubmit={onSubmit} key={url}>
        <div className="field search-words">
          <label htmlFor="search-q">Describe the sound</label>
          <input
            id="search-q"
            name="q"
            type="search"
            defaultValue={state.q}
            maxLength={1000}
            placeholder="dusty warm keys"
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="search-bpm-min">BPM from</label>
          <input id="search-bpm-min" name="bpm_min" type="number" min={0} max={1000} step="any" defaultValue={state.bpmMin} />
        </div>
        <div className="field">
          <label htmlFor="search-bpm-max">BPM to</label>
          <input id="search-bpm-max" name="bpm_max" type="number" min={0} max={1000} step="any" defaultValue={state.bpmMax} />
        </div>
        <div className="field">
          <label htmlFor="search-key">Key</label>
          <select id="search-key" name="key" defaultValue={state.key}>
            <option value="">Any key</option>
            {KEYS.map((key) => (
              <option key={key}>{key}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="search-key-match">Key match</label>
          <select id="search-key-match" name="key_match" defaultValue={state.keyMatch ?? "exact"}>
            <option value="exact">Exact</option>
            <option value="relative">Relative too</option>
            <option value="compatible">Compatible</option>
          </select>
        </div>
        <div className="field field-check">
          <label>
            <input type="checkbox" name="half_double" defaultChecked={state.halfDouble} /> Half and double time too
          </label>
        </div>
        <div className="field">
          <label htmlFor="search-type">Type</label>
          <select id="search-type" name="type" defaultValue={state.type}>
            <option value="">Loops and one-shots</option>
            <option value="loop">Loops</option>
            <option value="one-shot">One-shots</option>
          </select>
        </div>
        <button type="submit">Search</button>
        {wrongFilters && <ErrorMessage error={new Error(wrongFilters)} />}
      </form>

      <section className="card" aria-labelledby="results-heading" aria-busy={busy}>
        <h2 id="results-heading">Results</h2>
        <ErrorMessage error={error} />
        {!state.q && <Tips />}
        {state.q && !current && !error && !problem && <p role="status">Searching…</p>}
        {current && (
          <>
            <p role="status">
              {current.total === 0
                ? `Nothing in your library matches “${state.q}”${narrowed}.`
                : `${current.total} sample${current.total === 1 ? " matches" : "s match"} “${state.q}”${narrowed}.`}
            </p>
            {current.keyFilter && (
              <p className="key-filter-keys" role="note" aria-label="Keys matched">
                Keys matched:{" "}
                {current.keyFilter.keys
                  .map((key) => `${key.key} (${key.camelot}${key.relation && key.relation !== "same" ? `, ${key.relation}` : ""})`)
                  .join(", ")}
              </p>
            )}
            {current.total === 0 && (
              <p className="muted">
                {filtering
                  ? "Widen the BPM range, pick any key or type, or try other words."
                  : "Try fewer or other words, or check the spelling. Samples get a vibe once analysed."}
              </p>
            )}
            {current.hits.length > 0 && (
              <ol className="hits" aria-label="Matching samples" onKeyDown={onAuditionKeys}>
                {current.hits.map((hit) => (
                  <Hit key={hit.id} hit={hit} />
                ))}
              </ol>
            )}
            {more && (
              <button type="button" className="secondary" disabled={busy} onClick={onMore}>
                Show more
              </button>
            )}
          </>
        )}
      </section>
    </>
  );
}
