/** Library filters live in the URL, so a filtered view survives reloads and can be bookmarked. */
import { parseTags } from "../../format";

export const PAGE_SIZE = 20;

/** The keys in the API's one spelling (sharps), for pickers. */
export { KEYS } from "../../music/keys";

export type KeyMatch = "exact" | "relative" | "compatible";
export type Sort = "created_desc" | "created_asc" | "title" | "bpm" | "duration";
export type LoopFilter = "" | "loop" | "one-shot";

export const SORTS: readonly Sort[] = ["created_desc", "created_asc", "title", "bpm", "duration"];

export interface Filters {
  q: string;
  bpmMin: string;
  bpmMax: string;
  /** Also keep half and double time of the BPM range. */
  halfDouble?: boolean;
  key: string;
  keyMatch?: KeyMatch;
  loop?: LoopFilter;
  tags: string;
  sort?: Sort;
  page: number;
}

function keyMatchOf(text: string | null): KeyMatch {
  return text === "relative" || text === "compatible" ? text : "exact";
}

function loopOf(text: string | null): LoopFilter {
  return text === "loop" || text === "one-shot" ? text : "";
}

function sortOf(text: string | null): Sort {
  return SORTS.find((sort) => sort === text) ?? "created_desc";
}

export function readFilters(query: URLSearchParams): Filters {
  return {
    q: query.get("q") ?? "",
    bpmMin: query.get("bpm_min") ?? "",
    bpmMax: query.get("bpm_max") ?? "",
    halfDouble: query.get("half_double") === "1",
    key: query.get("key") ?? "",
    keyMatch: keyMatchOf(query.get("key_match")),
    loop: loopOf(query.get("loop")),
    tags: query.get("tags") ?? "",
    sort: sortOf(query.get("sort")),
    page: Math.max(1, Number(query.get("page")) || 1),
  };
}

/** The app's own URL for a filter state (`/library?q=…&page=2`). */
export function libraryUrl(filters: Filters): string {
  const query = new URLSearchParams();
  if (filters.q) query.set("q", filters.q);
  if (filters.bpmMin) query.set("bpm_min", filters.bpmMin);
  if (filters.bpmMax) query.set("bpm_max", filters.bpmMax);
  if (filters.halfDouble) query.set("half_double", "1");
  if (filters.key) query.set("key", filters.key);
  if (filters.key && filters.keyMatch && filters.keyMatch !== "exact") query.set("key_match", filters.keyMatch);
  if (filters.loop) query.set("loop", filters.loop);
  if (filters.tags) query.set("tags", filters.tags);
  if (filters.sort && filters.sort !== "created_desc") query.set("sort", filters.sort);
  if (filters.page > 1) query.set("page", String(filters.page));
  const text = query.toString();
  return text ? `/library?${text}` : "/library";
}

/** The API request's query for a filter state (tags repeat: `tags=a&tags=b`, all must match). */
export function samplesApiQuery(filters: Filters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.q.trim()) query.set("q", filters.q.trim());
  if (filters.bpmMin) query.set("bpm_min", filters.bpmMin);
  if (filters.bpmMax) query.set("bpm_max", filters.bpmMax);
  if (filters.halfDouble && (filters.bpmMin || filters.bpmMax)) query.set("half_double", "true");
  if (filters.key) query.set("key", filters.key);
  if (filters.key && filters.keyMatch && filters.keyMatch !== "exact") query.set("key_match", filters.keyMatch);
  if (filters.loop) query.set("loop", String(filters.loop === "loop"));
  if (filters.sort && filters.sort !== "created_desc") query.set("sort", filters.sort);
  parseTags(filters.tags).forEach((tag) => query.append("tags", tag));
  query.set("limit", String(PAGE_SIZE));
  query.set("offset", String((filters.page - 1) * PAGE_SIZE));
  return query;
}

/** Where the library was last left (its filters, sort and page), for this tab's "← Library". */
const LIBRARY_VIEW_KEY = "sp404.libraryView";

export function rememberLibraryView(url: string): void {
  try {
    globalThis.sessionStorage?.setItem(LIBRARY_VIEW_KEY, url);
  } catch {
    // Storage off: the link goes to the plain library.
  }
}

export function lastLibraryView(): string {
  try {
    const url = globalThis.sessionStorage?.getItem(LIBRARY_VIEW_KEY);
    return url && url.startsWith("/library") ? url : "/library";
  } catch {
    return "/library";
  }
}
