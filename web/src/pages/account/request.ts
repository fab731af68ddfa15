/**
 * The requests the shared JSON client cannot make: a multipart upload, and a file fetched with
 * the Authorization header and handed to the browser as a blob (an <img> or a download link
 * cannot send the header themselves).
 */
import { authorizedFetch } from "../../api/client";

/** Send a multipart form; resolves to the JSON answer. */
export async function sendForm<T>(path: string, method: string, form: FormData): Promise<T> {
  const response = await authorizedFetch(path, { method, body: form });
  return (await response.json()) as T;
}

/**
 * A file behind the API as a Blob, with the name from Content-Disposition when there is one.
 * Never from the HTTP cache: the avatar keeps its URL when it is replaced.
 */
export async function fetchBlob(
  path: string,
  signal?: AbortSignal,
): Promise<{ blob: Blob; name: string | null }> {
  const response = await authorizedFetch(path, { cache: "no-store", signal });
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
