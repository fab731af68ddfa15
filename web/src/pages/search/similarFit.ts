import type { SimilarResult } from "../../api/types";

/**
 * How a similar sound fits, in one line: "% alike" is the neighbour's percentile in the producer's
 * own library, then the engine's reasons ("half-time", "relative key", "same kit sound",
 * "similar brightness", "a band loop").
 */
export function similarFit(result: Pick<SimilarResult, "alike" | "reasons">): string {
  return [`${Math.round(result.alike)} % alike`, ...result.reasons].join(" · ");
}
