/**
 * Files behind the API: fetched with the Authorization header (an <img> or a download link
 * cannot send it themselves) and handed to the browser as a blob.
 */
import { callRaw } from "../../api/client";

/** The account's avatar image; never from the HTTP cache (the avatar keeps its URL when replaced). */
export function fetchAvatar(signal?: AbortSignal): Promise<{ blob: Blob; name: string | null }> {
  return blobOf(callRaw("get", "/api/account/avatar", { cache: "no-store", signal }));
}

/** A file answer as a Blob, with the name from Content-Disposition when there is one. */
export async function blobOf(answer: Promise<Response>): Promise<{ blob: Blob; name: string | null }> {
  const response = await answer;
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? null;
  return { blob: await response.blob(), name };
}

/** Hand a blob to the browser as a download. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob after click() returns; revoking at once could cut the file off.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
