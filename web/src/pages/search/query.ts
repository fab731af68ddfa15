/**
 * The search page's state lives in the URL (`/search?q=…`, `/search?similar=<id>&…`), so a search
 * can be shared, bookmarked and stepped through with the back button.
 */

import { routeUrl } from "../../api/client";

export type TypeFilter = "" | "loop" | "one-shot";
export type KeyMatch = "" | "compatible" | "fifths";

/** How far a text search's key filter reaches (the API's `key_match`). */
export type KeyReach = "exact" | "relative" | "compatible";

export interface TextSearch {
  q: string;
  bpmMin: string;
  bpmMax: string;
  /** With a BPM range: also half and double that tempo. */
  halfDouble?: boolean;
  key: string;
  keyMatch?: KeyReach;
  type: TypeFilter;
}

export interface SimilarSearch {
  similar: string;
  /** ± percent, blank for any tempo. */
  tempo: string;
  halfDouble: boolean;
  keyMatch: KeyMatch;
  type: TypeFilter;
}

function typeOf(value: string | null): TypeFilter {
  return value === "loop" || value === "one-shot" ? value : "";
}

function withQuery(path: string, query: URLSearchParams): string {
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export function readTextSearch(query: URLSearchParams): TextSearch {
  return {
    q: query.get("q") ?? "",
    bpmMin: query.get("bpm_min") ?? "",
    bpmMax: query.get("bpm_max") ?? "",
    halfDouble: query.get("half_double") === "1",
    key: query.get("key") ?? "",
    keyMatch: query.get("key_match") === "relative" || query.get("key_match") === "compatible" ? (query.get("key_match") as KeyReach) : "exact",
    type: typeOf(query.get("type")),
  };
}

export function textSearchUrl(state: TextSearch): string {
  const query = new URLSearchParams();
  if (state.q.trim()) query.set("q", state.q.trim());
  if (state.bpmMin) query.set("bpm_min", state.bpmMin);
  if (state.bpmMax) query.set("bpm_max", state.bpmMax);
  if (state.halfDouble) query.set("half_double", "1");
  if (state.key) query.set("key", state.key);
  if (state.key && state.keyMatch && state.keyMatch !== "exact") query.set("key_match", state.keyMatch);
  if (state.type) query.set("type", state.type);
  return withQuery("/search", query);
}

export function readSimilarSearch(query: URLSearchParams): SimilarSearch {
  const keyMatch = query.get("key_match");
  return {
    similar: query.get("similar") ?? "",
    tempo: query.get("tempo") ?? "",
    halfDouble: query.get("half_double") === "1",
    keyMatch: keyMatch === "compatible" || keyMatch === "fifths" ? keyMatch : "",
    type: typeOf(query.get("type")),
  };
}

export function similarSearchUrl(state: SimilarSearch): string {
  const query = new URLSearchParams({ similar: state.similar });
  if (state.tempo) query.set("tempo", state.tempo);
  if (state.halfDouble) query.set("half_double", "1");
  if (state.keyMatch) query.set("key_match", state.keyMatch);
  if (state.type) query.set("type", state.type);
  return withQuery("/search", query);
}

/** The page that finds sounds like this sample, with no filters. */
export function similarTo(sampleId: string): string {
  return similarSearchUrl({ similar: sampleId, tempo: "", halfDouble: false, keyMatch: "", type: "" });
}

/** A bound as typed, or null when it is blank or not a number. */
function bpmBound(text: string): number | null {
  const value = text.trim() ? Number(text) : NaN;
  return Number.isFinite(value) ? value : null;
}

/** What is wrong with the filters before asking (the API would answer 422), or null. */
export function filterProblem(state: TextSearch): string | null {
  const min = bpmBound(state.bpmMin);
  const max = bpmBound(state.bpmMax);
  if (min != null && max != null && min > max) return "BPM from must not be above BPM to.";
  return null;
}

/** The search request's query: the words, and the filters the API applies before ranking and paging. */
export function searchApiQuery(state: TextSearch, limit: number, offset: number): URLSearchParams {
  const query = new URLSearchParams({ q: state.q, limit: String(limit), offset: String(offset) });
  const min = bpmBound(state.bpmMin);
  const max = bpmBound(state.bpmMax);
  if (min != null) query.set("bpm_min", String(min));
  if (max != null) query.set("bpm_max", String(max));
  if (state.halfDouble && (min != null || max != null)) query.set("half_double", "true");
  if (state.key) query.set("key", state.key);
  if (state.key && state.keyMatch && state.keyMatch !== "exact") query.set("key_match", state.keyMatch);
  if (state.type) query.set("loop", String(state.type === "loop"));
  return query;
}

/** The search request's URL (what a page keys its answer by). */
export function searchApiUrl(state: TextSearch, limit: number, offset: number): string {
  return routeUrl("/api/search", undefined, searchApiQuery(state, limit, offset));
}

/** The similar-sounds request's query (the sample is the path's `{sample_id}`). */
export function similarApiQuery(state: SimilarSearch, limit: number): URLSearchParams {
  const query = new URLSearchParams({ limit: String(limit) });
  const tempo = Number(state.tempo);
  if (state.tempo && Number.isFinite(tempo)) query.set("bpm_tolerance_pct", String(Math.min(50, Math.max(0, tempo))));
  if (state.halfDouble) query.set("include_half_double", "true");
  if (state.keyMatch) query.set("key_compatible", "true");
  if (state.keyMatch === "fifths") query.set("include_fifths", "true");
  if (state.type) query.set("loop", String(state.type === "loop"));
  return query;
}

/** The similar-sounds request's URL (what a page keys its answer by). */
export function similarApiUrl(state: SimilarSearch, limit: number): string {
  return routeUrl("/api/samples/{sample_id}/similar", { sample_id: state.similar }, similarApiQuery(state, limit));
}

export function hasFilters(state: TextSearch): boolean {
  return Boolean(state.bpmMin || state.bpmMax || state.key || state.type);
}
