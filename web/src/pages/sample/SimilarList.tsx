import { useEffect, useState } from "react";

import { api } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { SimilarResult } from "../../api/types";
import { ErrorMessage } from "../../components/Alert";
import { Link } from "../../router";

export function SimilarList({ sampleId, analysed }: { sampleId: string; analysed: boolean }) {
  const [results, setResults] = useState<SimilarResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!analysed) return;
    api<{ results: SimilarResult[] }>(`/api/samples/${sampleId}/similar?limit=10`)
      .then((body) => setResults(body.results))
      .catch(setError);
  }, [sampleId, analysed]);

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
            <ol className="similar">
              {results.map((result) => (
                <li key={result.sample.id}>
                  <Link to={`/samples/${result.sample.id}`}>{result.sample.title || result.sample.filename}</Link>{" "}
                  <span className="muted">
                    {Math.round(result.score * 100)} % alike
                    {result.bpm_match ? ` · tempo ${result.bpm_match}` : ""}
                    {result.key_relation ? ` · key ${result.key_relation}` : ""}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
