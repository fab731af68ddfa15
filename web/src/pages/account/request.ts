/**
 * The requests the shared JSON client cannot make: a multipart upload, and a file fetched with
 * the Authorization header and handed to the browser as a blob (an <img> or a download link
 * cannot send the header themselves).
 */
import { getAccessToken, refreshAccessToken, reportError } from "../../api/client";
import { errorFrom } from "../../api/errors";

/** fetch() with the access token; a 401 refreshes it once; a refusal throws ApiError. */
async function withToken(path: string, init: RequestInit): Promise<Response> {
  const send = (): Promise<Response> => {
    const headers = new Headers(init.headers);
    const token = getAccessToken();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return fetch(path, { ...init, headers, credentials: "same-origin" });
  };
  let response = await send();
  if (response.status === 401 && (await refreshAccessToken())) response = await send();
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null; // a proxy's 413 may come without our JSON body; errorFrom has a fallback
    }
    const error = errorFrom(response.status, body, response.headers.get("Retry-After"));
    reportError(error);
    throw error;
  }
  return response;
}

/** Send a multipart form; resolves to the JSON answer. */
export async function sendForm<T>(path: string, method: string, form: FormData): Promise<T> {
  const response = await withToken(path, { method, body: form, headers: { Accept: "application/json" } });
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
  const response = await withToken(path, { cache: "no-store", signal });
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
