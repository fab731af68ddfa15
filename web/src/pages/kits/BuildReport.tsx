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

// The build's answer, kept for the kit page it navigates to: in memory, and in this tab's session
// storage so a reload of that page still shows it (the API does not store it).
const builds = new Map<string, BuildResult>();
const STORAGE_PREFIX = "sp404.kitBuild.";

export function rememberBuild(kitId: string, result: BuildResult): void {
  builds.set(kitId, result);
  try {
    globalThis.sessionStorage?.setItem(STORAGE_PREFIX + kitId, JSON.stringify(result));
  } catch {
    // Storage off or full: the report still shows until the page is reloaded.
  }
}

export function builtReport(kitId: string): BuildResult | null {
  const kept = builds.get(kitId);
  if (kept) return kept;
  try {
    const stored = globalThis.sessionStorage?.getItem(STORAGE_PREFIX + kitId);
    return stored ? (JSON.parse(stored) as BuildResult) : null;
  } catch {
    return null;
  }
}

export function UnderstoodLine({ prompt, understood }: { prompt: string | null; understood: Understood }) {
  const parts = [
    understood.bpm != null ? `tempo ${Math.round(understood.bpm)} BPM` : "no tempo",
    understood.musical_key ? `key ${keyWithCamelot(understood.musical_key, understood.camelot)}` : "no key",
    understood.words.length ? `words: ${understood.words.join(", ")}` : "no describing words (any sample)",
  ];
  return (
    <p className="understood" role="note" aria-label="What was understood">
      {prompt && <>“{prompt}” was understood as </>}
      <strong>{parts.join(" · ")}</strong>.
    </p>
  );
}

/** Pads with the same role and reason, in order: "A-05, A-06, A-07, A-08 (texture): …". */
export function groupEmpty(empty: EmptyPad[]): { labels: string[]; role: EmptyPad["role"]; message: string }[] {
  const groups: { labels: string[]; role: EmptyPad["role"]; message: string }[] = [];
  for (const pad of empty) {
    const last = groups[groups.length - 1];
    if (last && last.role === pad.role && last.message === pad.message) last.labels.push(pad.label);
    else groups.push({ labels: [pad.label], role: pad.role, message: pad.message });
  }
  return groups;
}

export function EmptyPads({ empty }: { empty: EmptyPad[] }) {
  if (empty.length === 0) return <p>Every pad of the banks used has a sample.</p>;
  return (
    <>
      <p>
        {empty.length} pad{empty.length === 1 ? "" : "s"} stayed empty:
      </p>
      <ul className="empty-pads" aria-label="Empty pads">
        {groupEmpty(empty).map((group) => (
          <li key={group.labels[0]}>
            <strong>{group.labels.join(", ")}</strong> ({group.role.replace("_", " ")}): {group.message}
          </li>
        ))}
      </ul>
    </>
  );
}
