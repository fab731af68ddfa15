/** What a drag on the kit page carries: a library sample or a pad, each in a type of its own so
 * a drop target can tell them apart during dragover, before the data itself is readable. */
import type { DragEvent } from "react";

import { padLabel, parsePadLabel } from "./grid";
import type { PadRef } from "./types";

const SAMPLE_TYPE = "application/x-sp404-sample";
const PAD_TYPE = "application/x-sp404-pad";
const LOOP_TYPE = "application/x-sp404-loop";

export type Dropped = { sampleId: string; title: string; isLoop: boolean | null } | { pad: PadRef };

export function startSampleDrag(event: DragEvent, sampleId: string, title: string, isLoop: boolean | null): void {
  event.dataTransfer.setData(SAMPLE_TYPE, sampleId);
  event.dataTransfer.setData("text/plain", title);
  if (isLoop != null) event.dataTransfer.setData(LOOP_TYPE, isLoop ? "1" : "0");
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
  if (sampleId) {
    const loop = event.dataTransfer.getData(LOOP_TYPE);
    const isLoop = loop === "1" ? true : loop === "0" ? false : null;
    return { sampleId, title: event.dataTransfer.getData("text/plain") || "the sample", isLoop };
  }
  const pad = parsePadLabel(event.dataTransfer.getData(PAD_TYPE));
  return pad ? { pad } : null;
}
