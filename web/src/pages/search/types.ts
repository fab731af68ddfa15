/** Names for the search shapes (analysis_engine/search), from the engine's OpenAPI document. */
import type { components } from "../../api/generated/engine";

type Engine = components["schemas"];

/** A text-search match: a sample with its vibe description and how well it matched. */
export type SearchHit = Engine["TextMatch"];

export type SearchAnswer = Engine["TextMatchPage"];

/** `total`: how many samples passed the filters (all of them ranked; `results` holds the best). */
export type SimilarAnswer = Engine["SimilarPage"];
