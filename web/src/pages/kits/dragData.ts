/** What a drag on the kit page carries: a library sample or a pad, each in a type of its own so
 * a drop target can tell them apart during dragover, before the data itself is readable. */
import type { DragEvent } from "react";

import { padLabel, parsePadLabel } from "./grid";
import type { PadRef } from "./types";

const SAMPLE_TYPE = "application/x-sp404-sample";
const PAD_TYPE = "application/x-sp404-pad";

export type Dropped = { sampleId: string; title: string } | { pad: PadRef };

export function startSampleDrag(event: DragEvent, sampleId: string, title: string): void {
  event.dataTransfer.setData(SAMPLE_TYPE, sampleId);
  event.dataTransfer.setData("text/plain", title);
  event.dataTransfer.effectAllowed = "copy";
}

export function startPadDrag(event: DragEvent, ref: PadRef): void {
  event.dataTransfer.setData(PAD_TYPE, padLabel(ref));
  event.dataTransfer.setData("text/plain", padLabel(ref));
  event.dataTransfer.effectAllowed = "move";
}

/** Whether a drag over a pad is one the kit page accepts. */
export function acceptsDrag(event: DragEvent): boolean {
  const types = event.dataTransfer.types;
  return types.includes(SAMPLE_TYPE) || types.includes(PAD_TYPE);
}

export function readDrop(event: DragEvent): Dropped | null {
  const sampleId = event.dataTransfer.getData(SAMPLE_TYPE);
  if (sampleId) return { sampleId, title: event.dataTransfer.getData("text/plain") || "the sample" };
  const pad = parsePadLabel(event.dataTransfer.getData(PAD_TYPE));
  return pad ? { pad } : null;
}
