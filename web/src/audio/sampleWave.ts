/**
 * A sample's stored waveform, from any of the API's sample shapes (null until analysed). The API
 * sends each column's min and max as integers on a -127..127 scale; the UI draws -1..1.
 */
import type { Peaks } from "./peaks";

interface Stored {
  columns: number;
  peaks: readonly (readonly [number, number])[];
}

const FULL_SCALE = 127;
const scaled = new WeakMap<Stored, Peaks>();

export function waveformOf(sample: object | null | undefined): Peaks | null {
  const value = (sample as { waveform?: Stored | null } | null | undefined)?.waveform;
  if (!value || !Array.isArray(value.peaks) || value.peaks.length === 0) return null;
  let peaks = scaled.get(value);
  if (!peaks) {
    peaks = {
      columns: value.peaks.length,
      peaks: value.peaks.map(([low, high]) => [low / FULL_SCALE, high / FULL_SCALE] as const),
    };
    scaled.set(value, peaks);
  }
  return peaks;
}
