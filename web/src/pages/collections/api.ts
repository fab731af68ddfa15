/** The collection routes, one function each (paths and bodies as in collections/routes.py). */
import { api } from "../../api/client";
import type {
  AddedSamples,
  Collection,
  CollectionDetail,
  CollectionList,
  Reanalysis,
  RulesPreviewAnswer,
  SmartRules,
} from "./types";

const BASE = "/api/collections";
// Far above the Free plan's 5; a Pro library with more pages through `offset`.
export const LIST_LIMIT = 200;
export const MEMBERS_PER_PAGE = 50;

const at = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

export function listCollections(options: { parentId?: string; offset?: number } = {}): Promise<CollectionList> {
  const query = new URLSearchParams({ limit: String(LIST_LIMIT), offset: String(options.offset ?? 0) });
  if (options.parentId) query.set("parent_id", options.parentId);
  return api<CollectionList>(`${BASE}?${query.toString()}`);
}

export interface NewCollection {
  name: string;
  description?: string;
  parent_id?: string;
  smart_rules?: SmartRules;
}

export function createCollection(body: NewCollection): Promise<Collection> {
  return api<Collection>(BASE, { method: "POST", body });
}

export interface CollectionChanges {
  name?: string;
  description?: string | null;
  smart_rules?: SmartRules | null;
}

export function updateCollection(id: string, changes: CollectionChanges): Promise<Collection> {
  return api<Collection>(at(id), { method: "PATCH", body: changes });
}

export function deleteCollection(id: string): Promise<void> {
  return api<void>(at(id), { method: "DELETE" });
}

/** The samples these rules would select now, as a smart collection lists them; saves nothing. */
export function previewRules(rules: SmartRules, limit: number, signal?: AbortSignal): Promise<RulesPreviewAnswer> {
  return api<RulesPreviewAnswer>(`${BASE}/preview?limit=${limit}`, {
    method: "POST",
    body: { smart_rules: rules },
    signal,
  });
}

export function getCollection(id: string, offset = 0): Promise<CollectionDetail> {
  return api<CollectionDetail>(`${at(id)}?limit=${MEMBERS_PER_PAGE}&offset=${offset}`);
}

export function addSamples(id: string, sampleIds: string[]): Promise<AddedSamples> {
  return api<AddedSamples>(`${at(id)}/samples`, { method: "POST", body: { sample_ids: sampleIds } });
}

export function removeSample(id: string, sampleId: string): Promise<void> {
  return api<void>(`${at(id)}/samples/${encodeURIComponent(sampleId)}`, { method: "DELETE" });
}

export function reanalyzeCollection(id: string): Promise<Reanalysis> {
  return api<Reanalysis>(`${at(id)}/reanalyze`, { method: "POST" });
}
