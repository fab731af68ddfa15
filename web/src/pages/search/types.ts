/** Shapes of the search routes (analysis_engine/search: text_search.py, similar.py). */
import type { Sample, SimilarResult } from "../../api/types";

/** A text-search match: a sample with its vibe description and how well it matched. */
export interface SearchHit extends Sample {
  vibe: string | null;
  rank: number;
}

export interface SearchAnswer {
  query: string;
  results: SearchHit[];
  total: number;
  limit: number;
  offset: number;
}

export interface SimilarAnswer {
  sample_id: string;
  results: SimilarResult[];
  /** How many samples passed the filters (all of them ranked; `results` holds the best). */
  total: number;
}
