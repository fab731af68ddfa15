/** "Find similar to…": the samples whose sound is nearest one sample's, with tempo and key fits. */
import { type FormEvent } from "react";

import { call } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useResource } from "../../api/useResource";
import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { ErrorMessage } from "../../components/Alert";
import { Link, navigate, useLocation } from "../../router";
import { SampleFacts } from "../collections/SampleFacts";
import { similarFit } from "./similarFit";
import { readSimilarSearch, similarApiQuery, similarApiUrl, similarSearchUrl, similarTo, type KeyMatch, type TypeFilter } from "./query";

const LIMIT = 20;


export function SimilarSearch() {
  const { query } = useLocation();
  const state = readSimilarSearch(query);
  const apiUrl = similarApiUrl(state, LIMIT);
  const sample = { sample_id: state.similar };
  const { data: target, error: targetError } = useResource(
    (signal) => call("get", "/api/samples/{sample_id}", { params: sample, signal }),
    [state.similar],
  );
  const { data: current, error } = useResource(
    (signal) => call("get", "/api/samples/{sample_id}/similar", { params: sample, query: similarApiQuery(state, LIMIT), signal }),
    [apiUrl],
    { keepPrevious: false },
  );

  function onSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate(
      similarSearchUrl({
        similar: state.similar,
        tempo: String(form.get("tempo") ?? ""),
        halfDouble: form.get("half_double") === "on",
        keyMatch: String(form.get("key_match") ?? "") as KeyMatch,
        type: String(form.get("type") ?? "") as TypeFilter,
      }),
    );
  }

  // Another producer's sample is a 404 like a missing one; a malformed id is a 422.
  const gone = [targetError, error].some((e) => e instanceof ApiError && (e.status === 404 || e.status === 422));
  if (gone) {
    return (
      <section className="card">
        <h2>Sample not found</h2>
        <p>This sample does not exist or is not in your library.</p>
        <p>
          <Link to="/search">Search by words instead</Link>
        </p>
      </section>
    );
  }

  const name = target ? target.title || target.filename : "this sample";
  const filtered = Boolean(state.tempo || state.halfDouble || state.keyMatch || state.type);
  return (
    <>
      <section className="card" aria-labelledby="similar-heading">
        <h2 id="similar-heading">
          Sounds like{" "}
          {target ? <Link to={`/samples/${target.id}`}>{name}</Link> : <span className="muted">…</span>}
        </h2>
        {target && (
          <p>
            <SampleFacts sample={target} />
          </p>
        )}
        <form className="search-form" onSubmit={onSubmit} key={similarSearchUrl(state)} aria-label="Similar sound options">
          <div className="field">
            <label htmlFor="similar-tempo">Tempo within ± %</label>
            <input
              id="similar-tempo"
              name="tempo"
              type="number"
              min={0}
              max={50}
              step="any"
              defaultValue={state.tempo}
              placeholder="any"
              aria-describedby="similar-tempo-hint"
            />
            <small id="similar-tempo-hint" className="hint">
              Blank: any tempo.
            </small>
          </div>
          <div className="field">
            <label htmlFor="similar-key">Key</label>
            <select id="similar-key" name="key_match" defaultValue={state.keyMatch}>
              <option value="">Any key</option>
              <option value="compatible">Same or relative key</option>
              <option value="fifths">Same, relative or a fifth away</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="similar-type">Type</label>
            <select id="similar-type" name="type" defaultValue={state.type}>
              <option value="">Loops and one-shots</option>
              <option value="loop">Loops</option>
              <option value="one-shot">One-shots</option>
            </select>
          </div>
          <label className="check">
            <input type="checkbox" name="half_double" defaultChecked={state.halfDouble} />
            Also half and double time
          </label>
          <button type="submit">Find similar</button>
        </form>
      </section>

      <section className="card" aria-labelledby="similar-results-heading" aria-busy={!current && !error}>
        <h2 id="similar-results-heading">Similar sounds</h2>
        <ErrorMessage error={error} />
        {!current && !error && <p role="status">Listening through your library…</p>}
        {current && (
          <>
            <p role="status">
              {current.results.length === 0
                ? filtered
                  ? `Nothing in your library sounds like ${name} with these tempo, key and type filters.`
                  : "No other analysed sample in your library to compare with yet."
                : `The ${current.results.length} closest of ${current.total} sample${current.total === 1 ? "" : "s"}.`}
            </p>
            {current.results.length === 0 && filtered && (
              <p className="muted">Widen the tempo range, choose any key or allow half and double time.</p>
            )}
            {current.results.length > 0 && (
              <ol className="hits" aria-label="Similar samples" onKeyDown={onAuditionKeys}>
                {current.results.map((result) => {
                  const other = result.sample.title || result.sample.filename;
                  return (
                    <li key={result.sample.id} className="hit" data-audition-row="">
                      <PlayButton sampleId={result.sample.id} title={other} loop={result.sample.is_loop} />
                      <Link to={`/samples/${result.sample.id}`} className="sample-title">
                        {other}
                      </Link>
                      <SampleFacts sample={result.sample} />
                      <span className="fit">{similarFit(result)}</span>
                      <Link to={similarTo(result.sample.id)} className="similar-link" aria-label={`Find sounds similar to ${other}`}>
                        Find similar
                      </Link>
                    </li>
                  );
                })}
              </ol>
            )}
          </>
        )}
      </section>
    </>
  );
}
