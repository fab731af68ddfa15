/**
 * Uploads through XMLHttpRequest: fetch cannot report upload progress, and a producer dropping a
 * 40 MB loop wants to see it move.
 */
import { checkPace, getAccessToken, refreshAccessToken, reportError, sessionSignal } from "./client";
import { ApiError, errorFrom } from "./errors";
import type { UploadAccepted } from "./types";

export interface UploadResult {
  body: UploadAccepted;
  /** The X-Quota-Warning header: set when this upload took a quota past 80 %. */
  quotaWarning: string | null;
}

function post(
  file: File,
  tags: string,
  onProgress: (fraction: number) => void,
): Promise<{ xhr: XMLHttpRequest }> {
  return new Promise((resolve, reject) => {
    checkPace("POST", "/api/samples");
    const xhr = new XMLHttpRequest();
    // Signing out stops an upload in flight like every other request of the session.
    const signal = sessionSignal();
    const abort = (): void => xhr.abort();
    signal.addEventListener("abort", abort, { once: true });
    xhr.onloadend = () => signal.removeEventListener("abort", abort);
    xhr.onabort = () => reject(new DOMException("The upload was stopped.", "AbortError"));
    const form = new FormData();
    form.append("audio", file, file.name);
    if (tags.trim()) form.append("tags", tags);
    xhr.open("POST", "/api/samples");
    xhr.setRequestHeader("Accept", "application/json");
    const token = getAccessToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ xhr });
    xhr.onerror = () => reject(new TypeError("network error"));
    xhr.send(form);
  });
}

function parse(xhr: XMLHttpRequest): unknown {
  try {
    return JSON.parse(xhr.responseText);
  } catch {
    return null;
  }
}

/** Upload one file to the library; progress goes from 0 to 1. Throws ApiError on refusal. */
export async function uploadSample(
  file: File,
  tags: string,
  onProgress: (fraction: number) => void,
): Promise<UploadResult> {
  let { xhr } = await post(file, tags, onProgress);
  if (xhr.status === 401 && (await refreshAccessToken())) {
    onProgress(0);
    ({ xhr } = await post(file, tags, onProgress));
  }
  if (xhr.status < 200 || xhr.status >= 300) {
    const error: ApiError = errorFrom(
      xhr.status,
      parse(xhr),
      xhr.getResponseHeader("Retry-After"),
    );
    reportError(error, "POST", "/api/samples");
    throw error;
  }
  return {
    body: parse(xhr) as UploadAccepted,
    quotaWarning: xhr.getResponseHeader("X-Quota-Warning"),
  };
}
