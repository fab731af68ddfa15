import { call } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useResource } from "../../api/useResource";
import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { ErrorMessage } from "../../components/Alert";
import { Link } from "../../router";
import { similarFit } from "../search/similarFit";

export function SimilarList({ sampleId, analysed }: { sampleId: string; analysed: boolean }) {
  const { data: results, error } = useResource(
    async (signal) =>
      (await call("get", "/api/samples/{sample_id}/similar", { params: { sample_id: sampleId }, query: { limit: 10 }, signal }))
        .results,
    [sampleId],
    { enabled: analysed },
  );

  const notYet = !analysed || (error instanceof ApiError && error.code === "not_analysed");
  return (
    <section aria-labelledby="similar-heading" className="card">
      <h2 id="similar-heading">Similar sounds</h2>
      {notYet ? (
        <p>Similar sounds show once the analysis is done.</p>
      ) : (
        <>
          <ErrorMessage error={error} />
          {results?.length === 0 && <p>Nothing similar in your library yet.</p>}
          {results && results.length > 0 && (
            <ol className="similar" onKeyDown={onAuditionKeys}>
              {results.map((result) => (
                <li key={result.sample.id} data-audition-row="">
                  <PlayButton
                    sampleId={result.sample.id}
                    title={result.sample.title || result.sample.filename}
                    loop={result.sample.is_loop}
                  />{" "}
                  <Link to={`/samples/${result.sample.id}`}>{result.sample.title || result.sample.filename}</Link>{" "}
                  <span className="muted">{similarFit(result)}</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
