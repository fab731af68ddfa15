import type { SimilarResult } from "../../api/types";

/**
 * How a similar sound fits, in one line: where its sound sits in the producer's own library (the
 * API's `alike`, a percentile), then the engine's reasons ("half-time", "relative key", "same kit
 * sound", "similar brightness", "a band loop").
 *
 * The percentile is said as what it is. Shown as "40 % alike" it read as a measure of likeness:
 * a producer saw "0 % alike" first in a list ordered by role, tempo and key, and in a library of
 * six sounds the figure only takes six values.
 */
export function similarFit(result: Pick<SimilarResult, "alike" | "reasons">): string {
  return [closeness(result.alike), ...result.reasons].join(" · ");
}

function closeness(alike: number): string {
  const share = Math.round(alike);
  if (share >= 100) return "the closest sound in your library";
  if (share <= 0) return "the least close sound in your library";
  return `closer in sound than ${share} % of your library`;
}
