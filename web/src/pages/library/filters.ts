/** Library filters live in the URL, so a filtered view survives reloads and can be bookmarked. */
import { parseTags } from "../../format";

export const PAGE_SIZE = 20;

export const KEYS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"].flatMap((note) => [
  `${note} major`,
  `${note} minor`,
]);

export interface Filters {
  q: string;
  bpmMin: string;
  bpmMax: string;
  key: string;
  tags: string;
  page: number;
}

export function readFilters(query: URLSearchParams): Filters {
  return {
    q: query.get("q") ?? "",
    bpmMin: query.get("bpm_min") ?? "",
    bpmMax: query.get("bpm_max") ?? "",
    key: query.get("key") ?? "",
    tags: query.get("tags") ?? "",
    page: Math.max(1, Number(query.get("page")) || 1),
  };
}

/** The app's own URL for a filter state (`/library?q=…&page=2`). */
export function libraryUrl(filters: Filters): string {
  const query = new URLSearchParams();
  if (filters.q) query.set("q", filters.q);
  if (filters.bpmMin) query.set("bpm_min", filters.bpmMin);
  if (filters.bpmMax) query.set("bpm_max", filters.bpmMax);
  if (filters.key) query.set("key", filters.key);
  if (filters.tags) query.set("tags", filters.tags);
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
  if (filters.key) query.set("key", filters.key);
  parseTags(filters.tags).forEach((tag) => query.append("tags", tag));
  query.set("limit", String(PAGE_SIZE));
  query.set("offset", String((filters.page - 1) * PAGE_SIZE));
  return query;
}
