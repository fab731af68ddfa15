/**
 * Uploads through XMLHttpRequest: fetch cannot report upload progress, and a producer dropping a
 * 40 MB loop wants to see it move.
 */
import { getAccessToken, refreshAccessToken, reportError } from "./client";
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
    const xhr = new XMLHttpRequest();
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
    reportError(error);
    throw error;
  }
  return {
    body: parse(xhr) as UploadAccepted,
    quotaWarning: xhr.getResponseHeader("X-Quota-Warning"),
  };
}
