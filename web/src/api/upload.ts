/** Uploads to the library with progress: a producer dropping a 40 MB loop wants to see it move. */
import { callUpload, type UploadAnswer } from "./client";
import { ApiError } from "./errors";
import type { UploadAccepted } from "./types";

export type UploadResult = UploadAnswer<UploadAccepted>;

/** Upload one file to the library; progress goes from 0 to 1. Throws ApiError on refusal. */
export function uploadSample(file: File, tags: string, onProgress: (fraction: number) => void): Promise<UploadResult> {
  const form = new FormData();
  form.append("audio", file, file.name);
  if (tags.trim()) form.append("tags", tags);
  return callUpload("post", "/api/samples", form, onProgress);
}

/**
 * The existing sample's id when an upload was refused (409 `duplicate_sample`) because the producer
 * already has this audio (same sha256); null for any other outcome.
 */
export function duplicateOf(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== "duplicate_sample") return null;
  const id = error.details?.sample_id;
  return typeof id === "string" ? id : null;
}
