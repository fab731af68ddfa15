/** How numbers and dates read on screen. */

const MB = 1000 * 1000;

/** "1.5 MB", "820 KB", "12 B". */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1000) return `${Math.round(bytes / 1000)} KB`;
  return `${bytes} B`;
}

/** "0:04.5" for 4.5 s, "1:02.0" for 62 s. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return "–";
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, "0")}`;
}

/** "50 MB / 100 MB"; an unlimited plan reads "50 MB / unlimited". */
export function formatUsage(used: number, limit: number | null, unit = ""): string {
  const suffix = unit ? ` ${unit}` : "";
  const shown = Number.isInteger(used) ? `${used}` : used.toFixed(1);
  return `${shown}${suffix} / ${limit == null ? "unlimited" : `${limit}${suffix}`}`;
}

/** The fraction of a limit used, or null when the plan has no limit. */
export function usageRatio(used: number, limit: number | null): number | null {
  if (limit == null || limit <= 0) return null;
  return used / limit;
}

/** Quotas warn from 80 %. */
export const WARNING_RATIO = 0.8;

/** Comma-separated tags as the API wants them: trimmed, lower case, no blanks, no repeats. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(",")) {
    const tag = raw.trim().toLowerCase();
    if (tag) seen.add(tag);
  }
  return [...seen];
}

/** A date and time in the reader's locale. */
export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString();
}
