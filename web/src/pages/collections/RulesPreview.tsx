/** A live look at the samples some rules would select, before they are saved. */
import { useId } from "react";

import { pause } from "../../api/pause";
import { useResource } from "../../api/useResource";

import { ErrorMessage } from "../../components/Alert";
import { Link } from "../../router";
import { previewRules } from "./api";
import { NO_RULES } from "./rules";
import { SampleFacts } from "./SampleFacts";
import type { Member, SmartRules } from "./types";

// Wait for typing to pause: every request counts against the plan's daily API calls.
const DEBOUNCE_MS = 500;
const SHOWN = 10;

interface Preview {
  samples: Member[];
  total: number;
}

export function RulesPreview({ rules, problem }: { rules: SmartRules | null; problem: string | null }) {
  const headingId = useId();
  // The rules as text: a new object with the same rules must not fetch again.
  const wanted = rules ? JSON.stringify(rules) : null;
  const found = useResource(
    async (signal): Promise<Preview> => {
      await pause(DEBOUNCE_MS, signal);
      const answer = await previewRules(JSON.parse(wanted ?? "{}") as SmartRules, SHOWN, signal);
      return { samples: answer.samples, total: answer.total };
    },
    [wanted],
    { enabled: wanted !== null },
  );
  const preview = wanted ? found.data : null;
  const { error } = found;
  const busy = wanted !== null && found.loading;

  return (
    <section className="preview-box" aria-labelledby={headingId} aria-busy={busy}>
      <h3 id={headingId}>Preview</h3>
      {problem === NO_RULES ? (
        <p className="muted">Fill in a rule to see which samples it selects.</p>
      ) : problem ? (
        <p className="warning">{problem}</p>
      ) : (
        <>
          <ErrorMessage error={error} />
          {preview && (
            <>
              <p role="status">
                {preview.total === 0
                  ? "No sample in your library meets these rules yet."
                  : `${preview.total} sample${preview.total === 1 ? " matches" : "s match"} now.`}
              </p>
              {preview.samples.length > 0 && (
                <ul className="preview-list" aria-label="Samples these rules select">
                  {preview.samples.map((sample) => (
                    <li key={sample.id}>
                      <Link to={`/samples/${sample.id}`}>{sample.title || sample.filename}</Link>{" "}
                      <SampleFacts sample={sample} />
                    </li>
                  ))}
                  {preview.total > preview.samples.length && (
                    <li className="muted">…and {preview.total - preview.samples.length} more</li>
                  )}
                </ul>
              )}
            </>
          )}
          {!preview && busy && <p className="muted">Looking through your library…</p>}
        </>
      )}
    </section>
  );
}
