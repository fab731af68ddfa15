/** Shapes of the collection routes (analysis_engine/collections: service.py, members.py, rules.py). */

/** A smart collection's rules; a sample must meet every one given (rules.py `SmartRules`). */
export interface SmartRules {
  genres?: string[];
  bpm_min?: number;
  bpm_max?: number;
  keys?: string[];
  tags_any?: string[];
  tags_all?: string[];
  /** 0–1: how sure the analysis must be of the tempo or key a rule relies on. */
  min_confidence?: number;
  loop?: boolean;
  text?: string;
}

export interface Collection {
  id: string;
  parent_id: string | null;
  name: string;
  description: string | null;
  smart_rules: SmartRules | null;
  is_smart: boolean;
  created_at: string;
  updated_at: string;
  depth: number;
  child_count: number;
  sample_count: number;
}

export interface CollectionList {
  collections: Collection[];
  total: number;
  limit: number;
  offset: number;
  quota: { used: number; limit: number | null };
}

/** A sample as a collection lists it. */
export interface Member {
  id: string;
  title: string | null;
  filename: string;
  format: string;
  genre: string | null;
  tags: string[];
  bpm: number | null;
  musical_key: string | null;
  is_loop: boolean | null;
  status: string;
  created_at: string;
  duration: number | null;
  tempo_confidence: number | null;
  key_confidence: number | null;
  added_at: string | null;
}

export interface CollectionDetail extends Collection {
  path: { id: string; name: string }[];
  samples: Member[];
  total: number;
  limit: number;
  offset: number;
}

/** POST /api/collections/preview: a page of what the rules select now, with the total. */
export interface RulesPreviewAnswer {
  smart_rules: SmartRules;
  samples: Member[];
  total: number;
  limit: number;
  offset: number;
}

export interface AddedSamples {
  collection_id: string;
  added: number;
  already_present: number;
  sample_count: number;
}

export interface Reanalysis {
  collection_id: string;
  queued: number;
}

/** Collections nest at most this deep (errors.py `MAX_DEPTH`). */
export const MAX_DEPTH = 8;
