/** The kit and export routes the kit pages call, each a small typed wrapper over `call`. */
import { call, callRaw } from "../../api/client";
import type { components } from "../../api/generated/engine";
import type { Bank, ExportJob, ExportList, Kit, PadRecommendations, PadRef, PadSettings } from "./types";

const kit = (id: string) => ({ kit_id: id });

export type KitFields = components["schemas"]["KitUpdate"];

export function getKit(id: string, signal?: AbortSignal): Promise<Kit> {
  return call("get", "/api/kits/{kit_id}", { params: kit(id), signal });
}

export function updateKit(id: string, fields: KitFields): Promise<Kit> {
  return call("patch", "/api/kits/{kit_id}", { params: kit(id), body: fields });
}

export function deleteKit(id: string): Promise<void> {
  return call("delete", "/api/kits/{kit_id}", { params: kit(id) });
}

export function assignPad(id: string, ref: PadRef, sampleId: string, settings: PadSettings): Promise<Kit> {
  return call("put", "/api/kits/{kit_id}/pads", {
    params: kit(id),
    body: { bank: ref.bank, pad: ref.pad, sample_id: sampleId, ...settings },
  });
}

/** Move a pad onto an empty one, or swap it with an assigned one: what a drop means. */
export function movePad(id: string, source: PadRef, target: PadRef, targetTaken: boolean): Promise<Kit> {
  const body = { source: { bank: source.bank, pad: source.pad }, target: { bank: target.bank, pad: target.pad } };
  if (targetTaken) return call("post", "/api/kits/{kit_id}/pads/swap", { params: kit(id), body });
  return call("post", "/api/kits/{kit_id}/pads/move", { params: kit(id), body: { ...body, replace: false } });
}

export function clearPad(id: string, ref: PadRef): Promise<Kit> {
  return call("post", "/api/kits/{kit_id}/pads/clear", {
    params: kit(id),
    body: { pads: [{ bank: ref.bank, pad: ref.pad }], all: false },
  });
}

export function recommendations(id: string, ref: PadRef, limit = 5, signal?: AbortSignal): Promise<PadRecommendations> {
  // With a pad named the route answers that pad's picks (without, every pad of the bank).
  return call("get", "/api/kits/{kit_id}/recommendations", {
    params: kit(id),
    query: { bank: ref.bank, pad: ref.pad, limit },
    signal,
  }) as Promise<PadRecommendations>;
}

export function completeFromSeed(id: string, sampleId: string, bank: Bank): Promise<Kit> {
  return call("post", "/api/kits/{kit_id}/complete", { params: kit(id), body: { sample_id: sampleId, bank } });
}

export type ConvertChoices = Pick<components["schemas"]["KitExport"], "normalise" | "trim_silence" | "pad_short">;

export type ExportRequest = components["schemas"]["KitExport"] | components["schemas"]["SamplesExport"];

export function startExport(request: ExportRequest): Promise<ExportJob> {
  return call("post", "/api/exports", { body: request });
}

export function listExports(): Promise<ExportList> {
  return call("get", "/api/exports", { query: { limit: 20 } });
}

export function deleteExport(id: string): Promise<void> {
  return call("delete", "/api/exports/{export_id}", { params: { export_id: id } });
}

/**
 * Save an export's ZIP. The download route wants the Authorization header, which a plain link
 * cannot send, so the file is fetched with the token and handed to the browser as a Blob URL.
 */
export async function downloadExport(job: ExportJob): Promise<void> {
  if (!job.download_url) return;
  const response = await callRaw("get", "/api/exports/{export_id}/download", { params: { export_id: job.id } });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = job.file_name ?? `${job.id}.zip`;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download manager; the URL is no longer needed.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
