/** A page of a collection's samples, each linking to its page; hand-picked ones can be removed. */
import { useState } from "react";

import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { ErrorMessage } from "../../components/Alert";
import { Link } from "../../router";
import { removeSample } from "./api";
import { SampleFacts } from "./SampleFacts";
import type { Member } from "./types";

interface Props {
  collectionId: string;
  samples: Member[];
  /** Smart collections' samples come from the rules, so there is no remove button. */
  removable: boolean;
  onRemoved: () => void;
}

export function MemberList({ collectionId, samples, removable, onRemoved }: Props) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function onRemove(sampleId: string): Promise<void> {
    setBusy(sampleId);
    setError(null);
    try {
      await removeSample(collectionId, sampleId);
      onRemoved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <ErrorMessage error={error} />
      <ul className="member-list" aria-label="Samples in this collection" onKeyDown={onAuditionKeys}>
        {samples.map((sample) => {
          const name = sample.title || sample.filename;
          return (
            <li key={sample.id} className="member-row" data-audition-row="">
              <PlayButton sampleId={sample.id} title={name} loop={sample.is_loop} />
              <Link to={`/samples/${sample.id}`} className="sample-title">
                {name}
              </Link>
              <SampleFacts sample={sample} />
              <span className="tags">{sample.tags.join(", ")}</span>
              {removable && (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove ${name} from this collection`}
                  disabled={busy === sample.id}
                  onClick={() => onRemove(sample.id)}
                >
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
