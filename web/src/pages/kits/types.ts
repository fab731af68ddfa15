/** Response shapes of the kit and export routes (analysis_engine/kits and exports). */
import type { Sample } from "../../api/types";

export type Bank = "A" | "B" | "C" | "D" | "E" | "F" | "G" | "H" | "I" | "J";

/** The pad roles of analysis_engine/kits/roles.py: what each pad of a bank is meant for. */
export type Role = "loop" | "texture" | "percussion" | "kick" | "snare" | "closed_hat" | "open_hat";

/** What a pad can be set to (PUT /api/kits/{id}/pads); the sampler's defaults when left out. */
export interface PadSettings {
  volume: number;
  pitch: number;
  gate: boolean;
  loop: boolean;
  one_shot: boolean;
  mute_group: number;
}

export interface PadRef {
  bank: Bank;
  pad: number;
}

export interface PadSample {
  id: string;
  title: string | null;
  bpm: number | null;
  musical_key: string | null;
  duration: number | null;
  is_loop: boolean | null;
  status: string;
}

/** An assigned pad; the API lists only these, so an absent pad is an empty one. */
export interface Pad extends PadRef, PadSettings {
  label: string;
  role: Role;
  sample_id: string;
  sample: PadSample;
}

export interface KitSummary {
  id: string;
  name: string;
  bpm: number | null;
  musical_key: string | null;
  description: string | null;
  created_at: string;
  updated_at: string;
  pad_count: number;
}

export interface Kit extends KitSummary {
  pads: Pad[];
  /** POST .../complete: the pads it filled ("A-13"). */
  added?: string[];
  /** POST /api/kits/auto: how many pads it filled. */
  filled?: number;
}

export interface KitList {
  kits: KitSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface Recommendation {
  sample: Sample;
  score: number;
  role_score: number;
  bpm_delta: number | null;
  key_relation: string | null;
}

export interface PadRecommendations extends PadRef {
  kit_id: string;
  role: Role;
  results: Recommendation[];
}

export interface CollectionSummary {
  id: string;
  name: string;
  depth?: number;
  sample_count?: number;
}

export type ExportKind = "import_pack" | "native_project" | "samples";
export type ExportStatus = "queued" | "running" | "ready" | "failed" | "expired";
export type Organise = "flat" | "bpm" | "key" | "genre";

export interface ExportJob {
  id: string;
  kind: ExportKind;
  beta: boolean;
  status: ExportStatus;
  progress: number;
  size_bytes: number | null;
  error: string | null;
  file_name: string | null;
  options: {
    kit_id?: string;
    kit_name?: string;
    organise?: Organise;
    name?: string;
    audio_format?: "wav" | "aiff";
    sample_count?: number;
  };
  report: {
    entries?: number;
    short_clips?: string[];
    clipped?: string[];
    skipped?: { title: string; reason: string }[];
  } | null;
  download_url: string | null;
  expires_at: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ExportList {
  exports: ExportJob[];
  total: number;
  limit: number;
  offset: number;
}
