/**
 * What a kit built from words was understood to ask for (tempo, key, the describing words) and
 * which pads stayed empty and why; "Complete bank" reports its empty pads the same way.
 */
import type { components } from "../../api/generated/engine";
import { keyWithCamelot } from "../../music/keys";

type Engine = components["schemas"];
export type Understood = Engine["KitRequestView"];
export type EmptyPad = Engine["EmptyPad"];

export interface BuildResult {
  prompt: string | null;
  understood: Understood | null;
  empty: EmptyPad[];
}

// The build's answer, kept for the kit page it navigates to (a reload shows the kit alone).
const builds = new Map<string, BuildResult>();

export function rememberBuild(kitId: string, result: BuildResult): void {
  builds.set(kitId, result);
}

export function builtReport(kitId: string): BuildResult | null {
  return builds.get(kitId) ?? null;
}

export function UnderstoodLine({ prompt, understood }: { prompt: string | null; understood: Understood }) {
  const parts = [
    understood.bpm != null ? `tempo ${Math.round(understood.bpm)} BPM` : "no tempo",
    understood.musical_key ? `key ${keyWithCamelot(understood.musical_key, understood.camelot)}` : "no key",
    understood.words.length ? `words: ${understood.words.join(", ")}` : "no describing words (any sample)",
  ];
  return (
    <p className="understood" aria-label="What was understood">
      {prompt && <>“{prompt}” was understood as </>}
      <strong>{parts.join(" · ")}</strong>.
    </p>
  );
}

export function EmptyPads({ empty }: { empty: EmptyPad[] }) {
  if (empty.length === 0) return <p>Every pad of the banks used has a sample.</p>;
  return (
    <>
      <p>
        {empty.length} pad{empty.length === 1 ? "" : "s"} stayed empty:
      </p>
      <ul className="empty-pads" aria-label="Empty pads">
        {empty.map((pad) => (
          <li key={pad.label}>
            <strong>{pad.label}</strong> ({pad.role.replace("_", " ")}): {pad.message}
          </li>
        ))}
      </ul>
    </>
  );
}
