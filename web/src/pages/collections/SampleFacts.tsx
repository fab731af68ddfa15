/** The few facts a producer scans a list of samples by: tempo, key, loop or one-shot, length. */
import { formatDuration } from "../../format";
import { shownKey, type DetectedKey } from "../../music/keys";
import "./facts.css";

interface Facts {
  bpm: number | null;
  musical_key: string | null;
  /** The key's Camelot number ("8A"), where the answer carries it. */
  camelot?: string | null;
  /** With these, a key the analysis is unsure of reads "G# minor?". */
  corrected?: readonly string[];
  detected?: DetectedKey | null;
  is_loop: boolean | null;
  duration?: number | null;
}

/** "Loop", "One-shot", or a dash while the analysis has not said. */
export function typeLabel(isLoop: boolean | null): string {
  if (isLoop == null) return "–";
  return isLoop ? "Loop" : "One-shot";
}

export function bpmLabel(bpm: number | null): string {
  return bpm == null ? "–" : `${Math.round(bpm)} BPM`;
}

export function SampleFacts({ sample }: { sample: Facts }) {
  return (
    <span className="facts">
      <span>{bpmLabel(sample.bpm)}</span>
      <span>{shownKey(sample)}</span>
      <span>{typeLabel(sample.is_loop)}</span>
      {sample.duration !== undefined && <span>{formatDuration(sample.duration)}</span>}
    </span>
  );
}
