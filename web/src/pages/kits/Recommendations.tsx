/** The library's best picks for one pad (by its role, the kit's tempo and key), one click each. */
import { useEffect, useRef, useState } from "react";

import { useResource } from "../../api/useResource";

import { onAuditionKeys } from "../../audio/auditionKeys";
import { PlayButton } from "../../audio/PlayButton";
import { ErrorMessage } from "../../components/Alert";
import { padLabel, parsePadLabel, roleName, tempoAndKey } from "./grid";
import { recommendations } from "./kitApi";
import type { PadRecommendations, PadRef, Recommendation } from "./types";

/** How long the selection must rest on a pad before its picks are asked for: a producer playing
 * pads by clicking selects one pad after another several times a second, and a request per click
 * spent a Free plan's 100 calls a minute in under a minute (then every page waited on a 429). */
const SETTLE_MS = 400;

/** `value`, once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function why(pick: Recommendation): string {
  const parts = [`${Math.round(pick.score * 100)} % fit`];
  if (pick.key_relation) parts.push(`key: ${pick.key_relation}`);
  if (pick.bpm_delta != null) parts.push(pick.bpm_delta === 0 ? "same tempo" : `${pick.bpm_delta > 0 ? "+" : ""}${pick.bpm_delta} BPM`);
  return parts.join(" · ");
}

export function Recommendations({
  kitId,
  target,
  version,
  busy,
  onAssign,
}: {
  kitId: string;
  target: PadRef;
  /** Changes whenever the kit does, so picks already on it drop out. */
  version: string;
  busy: boolean;
  onAssign: (sampleId: string, title: string, isLoop: boolean | null) => void;
}) {
  const label = padLabel(target);
  const { bank, pad } = target;
  // Picks are asked for once the selection rests, and kept per pad until the kit changes, so
  // going back to a pad (or playing two pads in turn) costs nothing.
  // (Settled as its label, a string, so a new but equal target object does not restart the wait.)
  const wanted = useSettled(label, SETTLE_MS);
  const picks = useRef({ kit: "", byPad: new Map<string, PadRecommendations>() });
  if (picks.current.kit !== `${kitId}|${version}`) picks.current = { kit: `${kitId}|${version}`, byPad: new Map() };
  const { data: found, error } = useResource(
    async (signal) => {
      const cached = picks.current.byPad.get(wanted);
      if (cached) return cached;
      const ref = parsePadLabel(wanted);
      if (!ref) throw new Error(`not a pad: ${wanted}`);
      const got = await recommendations(kitId, ref, 5, signal);
      picks.current.byPad.set(wanted, got);
      return got;
    },
    [kitId, wanted, version],
  );

  const current = found && found.bank === bank && found.pad === pad ? found : null;
  return (
    <section className="recommendations" aria-labelledby="recommend-heading">
      <h3 id="recommend-heading">Suggested for {label}</h3>
      <ErrorMessage error={error} />
      {!current && !error && <p className="muted">Looking through your library…</p>}
      {current && current.results.length === 0 && (
        <p className="muted">
          Nothing in your library suits a {roleName(current.role).toLowerCase()} pad at this kit&rsquo;s tempo and
          key yet. Name or tag your sounds (&ldquo;kick&rdquo;, &ldquo;loop&rdquo;…) or let them be analysed.
        </p>
      )}
      {current && current.results.length > 0 && (
        <ul className="recommend-list" onKeyDown={onAuditionKeys}>
          {current.results.map((pick) => {
            const title = pick.sample.title || pick.sample.filename;
            return (
              <li key={pick.sample.id} data-audition-row="">
                <PlayButton sampleId={pick.sample.id} title={title} loop={pick.sample.is_loop} className="item-play" />
                <span className="library-title">{title}</span>
                <span className="pad-meta">
                  {tempoAndKey(pick.sample.bpm, pick.sample.musical_key)} · {why(pick)}
                </span>
                <button
                  type="button"
                  className="kit-small"
                  disabled={busy}
                  onClick={() => onAssign(pick.sample.id, title, pick.sample.is_loop)}
                >
                  Assign<span className="visually-hidden"> {title} to {label}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
