/** The kit and export routes the kit pages call, each a small typed wrapper over `api`. */
import { api, authorizedFetch } from "../../api/client";
import type {
  Bank,
  ExportJob,
  ExportList,
  Kit,
  Organise,
  PadRecommendations,
  PadRef,
  PadSettings,
} from "./types";

const kitPath = (id: string) => `/api/kits/${encodeURIComponent(id)}`;

export interface KitFields {
  name?: string;
  bpm?: number | null;
  musical_key?: string | null;
}

export function getKit(id: string): Promise<Kit> {
  return api<Kit>(kitPath(id));
}

export function updateKit(id: string, fields: KitFields): Promise<Kit> {
  return api<Kit>(kitPath(id), { method: "PATCH", body: fields });
}

export function deleteKit(id: string): Promise<void> {
  return api<void>(kitPath(id), { method: "DELETE" });
}

export function assignPad(id: string, ref: PadRef, sampleId: string, settings: PadSettings): Promise<Kit> {
  return api<Kit>(`${kitPath(id)}/pads`, {
    method: "PUT",
    body: { bank: ref.bank, pad: ref.pad, sample_id: sampleId, ...settings },
  });
}

/** Move a pad onto an empty one, or swap it with an assigned one: what a drop means. */
export function movePad(id: string, source: PadRef, target: PadRef, targetTaken: boolean): Promise<Kit> {
  const body = { source: { bank: source.bank, pad: source.pad }, target: { bank: target.bank, pad: target.pad } };
  return api<Kit>(`${kitPath(id)}/pads/${targetTaken ? "swap" : "move"}`, { method: "POST", body });
}

export function clearPad(id: string, ref: PadRef): Promise<Kit> {
  return api<Kit>(`${kitPath(id)}/pads/clear`, {
    method: "POST",
    body: { pads: [{ bank: ref.bank, pad: ref.pad }] },
  });
}

export function recommendations(id: string, ref: PadRef, limit = 5): Promise<PadRecommendations> {
  const query = new URLSearchParams({ bank: ref.bank, pad: String(ref.pad), limit: String(limit) });
  return api<PadRecommendations>(`${kitPath(id)}/recommendations?${query.toString()}`);
}

export function completeFromSeed(id: string, sampleId: string, bank: Bank): Promise<Kit> {
  return api<Kit>(`${kitPath(id)}/complete`, { method: "POST", body: { sample_id: sampleId, bank } });
}

export interface ConvertChoices {
  normalise: boolean;
  trim_silence: boolean;
  pad_short: boolean;
}

export type ExportRequest =
  | ({ kind: "import_pack" | "native_project"; kit_id: string; audio_format?: "wav" | "aiff" } & ConvertChoices)
  | ({
      kind: "samples";
      sample_ids: string[];
      organise: Organise;
      name: string;
      audio_format: "wav" | "aiff";
    } & ConvertChoices);

export function startExport(request: ExportRequest): Promise<ExportJob> {
  return api<ExportJob>("/api/exports", { method: "POST", body: request });
}

export function listExports(): Promise<ExportList> {
  return api<ExportList>("/api/exports?limit=20");
}

export function deleteExport(id: string): Promise<void> {
  return api<void>(`/api/exports/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/**
 * Save an export's ZIP. The download route wants the Authorization header, which a plain link
 * cannot send, so the file is fetched with the token and handed to the browser as a Blob URL.
 */
export async function downloadExport(job: ExportJob): Promise<void> {
  if (!job.download_url) return;
  const response = await authorizedFetch(job.download_url);
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
