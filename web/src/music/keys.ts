/**
 * How keys and tempi read on screen. The API answers every key in one spelling (sharps: "G# minor")
 * with its Camelot number ("1A"); the app shows those as given and never respells them.
 */

/** Below this the analysis' key is a guess: shown with a question mark and its confidence. */
export const KEY_CONFIDENT = 0.5;

/** The 24 keys in the API's spelling, for pickers. */
export const KEYS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"].flatMap((note) => [
  `${note} major`,
  `${note} minor`,
]);

/** "A minor · 8A"; "no key" when there is none. */
export function keyWithCamelot(key: string | null | undefined, camelot: string | null | undefined): string {
  if (!key) return "no key";
  return camelot ? `${key} · ${camelot}` : key;
}

/** "92 BPM" (one decimal when it has one), "no tempo" for none. */
export function formatBpm(bpm: number | null | undefined): string {
  if (bpm == null) return "no tempo";
  const rounded = Math.round(bpm * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)} BPM`;
}

export interface DetectedKey {
  musical_key: string | null;
  camelot: string | null;
  key_confidence: number | null;
}

/** What the analysis found for the key: "G# minor? (10 % sure)" when unsure, "no key" when unpitched. */
export function detectedKeyText(detected: DetectedKey): string {
  if (!detected.musical_key) return "no key";
  const shown = keyWithCamelot(detected.musical_key, detected.camelot);
  const confidence = detected.key_confidence;
  if (confidence != null && confidence < KEY_CONFIDENT) return `${detected.musical_key}? (${Math.round(confidence * 100)} % sure)`;
  return shown;
}

/** Whether a detected key is only a guess. */
export function keyIsUnsure(detected: DetectedKey | null | undefined): boolean {
  return Boolean(detected?.musical_key && detected.key_confidence != null && detected.key_confidence < KEY_CONFIDENT);
}

/** Half or double a tempo within the API's 20-400 BPM; null when that leaves the range. */
export function scaleTempo(bpm: number, factor: 0.5 | 2): number | null {
  const next = Math.round(bpm * factor * 100) / 100;
  return next >= 20 && next <= 400 ? next : null;
}

export interface ShownKey {
  musical_key: string | null;
  camelot?: string | null;
  corrected?: readonly string[];
  detected?: DetectedKey | null;
}

/**
 * A list row's key: "A minor · 8A", "no key", or "G# minor? · 1A" when the analysis is unsure of
 * it and the producer has not set it.
 */
export function shownKey(sample: ShownKey): string {
  const shown = keyWithCamelot(sample.musical_key, sample.camelot);
  if (!sample.musical_key || sample.corrected?.includes("musical_key") || !keyIsUnsure(sample.detected)) return shown;
  return sample.camelot ? `${sample.musical_key}? · ${sample.camelot}` : `${sample.musical_key}?`;
}
