/** Names for the kit and export shapes (analysis_engine/kits and exports), from the engine's OpenAPI document. */
import type { components } from "../../api/generated/engine";

type Engine = components["schemas"];

export type Bank = Engine["PadRef"]["bank"];

/** The pad roles of analysis_engine/kits/roles.py: what each pad of a bank is meant for. */
export type Role = Engine["Pad"]["role"];

/**
 * What a pad can be set to (PUT /api/kits/{id}/pads); the sampler's defaults when left out. `start`
 * and `end` trim it in the sample's own frames (both null: the whole sample).
 */
export type PadSettings = Pick<
  Engine["PadAssign"],
  "volume" | "pitch" | "gate" | "loop" | "one_shot" | "mute_group" | "start" | "end"
>;

export type PadRef = Engine["PadRef"];

export type PadSample = Engine["PadSample"];

/** An assigned pad; the API lists only these, so an absent pad is an empty one. */
export type Pad = Engine["Pad"];

export type KitSummary = Engine["KitSummary"];

/** A kit as its routes answer it; complete says which pads it filled, auto how many. */
export type Kit = Engine["Kit"] &
  Partial<Pick<Engine["CompletedKit"], "added" | "empty"> & Pick<Engine["BuiltKit"], "filled">>;

export type KitList = Engine["KitPage"];

export type Recommendation = Engine["Pick"];

export type PadRecommendations = Engine["KitPadPicks"];

/** A collection as the kit forms list it (GET /api/collections). */
export type CollectionSummary = Pick<Engine["Collection"], "id" | "name" | "depth" | "sample_count">;

export type ExportJob = Engine["Export"];
export type ExportKind = ExportJob["kind"];
export type ExportStatus = ExportJob["status"];
export type Organise = Engine["SamplesExport"]["organise"];

export type ExportList = Engine["ExportPage"];
