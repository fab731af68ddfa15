/** The collection routes, one function each (paths and bodies as in collections/routes.py). */
import { call } from "../../api/client";
import type { components } from "../../api/generated/engine";
import type {
  AddedSamples,
  Collection,
  CollectionDetail,
  CollectionList,
  Reanalysis,
  RulesPreviewAnswer,
  SmartRules,
} from "./types";

// Far above the Free plan's 5; a Pro library with more pages through `offset`.
export const LIST_LIMIT = 200;
export const MEMBERS_PER_PAGE = 50;

const collection = (id: string) => ({ collection_id: id });

export function listCollections(
  options: { parentId?: string; offset?: number; signal?: AbortSignal } = {},
): Promise<CollectionList> {
  return call("get", "/api/collections", {
    query: { limit: LIST_LIMIT, offset: options.offset ?? 0, parent_id: options.parentId || undefined },
    signal: options.signal,
  });
}

export type NewCollection = components["schemas"]["CollectionCreate"];

export type CollectionChanges = components["schemas"]["CollectionUpdate"];

export function createCollection(body: NewCollection): Promise<Collection> {
  return call("post", "/api/collections", { body });
}

export function updateCollection(id: string, changes: CollectionChanges): Promise<Collection> {
  return call("patch", "/api/collections/{collection_id}", { params: collection(id), body: changes });
}

export function deleteCollection(id: string): Promise<void> {
  return call("delete", "/api/collections/{collection_id}", { params: collection(id) });
}

/** The samples these rules would select now, as a smart collection lists them; saves nothing. */
export function previewRules(rules: SmartRules, limit: number, signal?: AbortSignal): Promise<RulesPreviewAnswer> {
  return call("post", "/api/collections/preview", { query: { limit }, body: { smart_rules: rules }, signal });
}

export function getCollection(id: string, offset = 0, signal?: AbortSignal): Promise<CollectionDetail> {
  return call("get", "/api/collections/{collection_id}", {
    params: collection(id),
    query: { limit: MEMBERS_PER_PAGE, offset },
    signal,
  });
}

export function addSamples(id: string, sampleIds: string[]): Promise<AddedSamples> {
  return call("post", "/api/collections/{collection_id}/samples", {
    params: collection(id),
    body: { sample_ids: sampleIds },
  });
}

export function removeSample(id: string, sampleId: string): Promise<void> {
  return call("delete", "/api/collections/{collection_id}/samples/{sample_id}", {
    params: { collection_id: id, sample_id: sampleId },
  });
}

export function reanalyzeCollection(id: string): Promise<Reanalysis> {
  return call("post", "/api/collections/{collection_id}/reanalyze", { params: collection(id) });
}
