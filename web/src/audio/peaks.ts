/** Waveform peaks: the min/max pairs the engine stores per sample, or ones computed from decoded audio. */

/** `peaks[i]` is the lowest and highest value (-1..1) of column i. */
export interface Peaks {
  columns: number;
  peaks: readonly (readonly [number, number])[];
}

/** Peaks of a decoded buffer (all channels mixed by taking the extremes), `columns` wide. */
export function peaksOf(channels: readonly Float32Array[], columns: number, from = 0, to?: number): Peaks {
  const end = Math.min(to ?? channels[0]?.length ?? 0, channels[0]?.length ?? 0);
  const span = Math.max(0, end - from);
  const width = Math.max(1, Math.min(columns, span || 1));
  const peaks: [number, number][] = [];
  for (let column = 0; column < width; column += 1) {
    const a = from + Math.floor((column * span) / width);
    const b = Math.max(a + 1, from + Math.floor(((column + 1) * span) / width));
    let low = 0;
    let high = 0;
    for (const data of channels) {
      for (let i = a; i < b && i < end; i += 1) {
        const value = data[i];
        if (value < low) low = value;
        if (value > high) high = value;
      }
    }
    peaks.push([low, high]);
  }
  return { columns: peaks.length, peaks };
}

/** The peaks merged down to at most `columns` (each keeps the extremes it covers). */
export function resample(peaks: Peaks, columns: number): Peaks {
  if (peaks.peaks.length <= columns) return peaks;
  const out: [number, number][] = [];
  const n = peaks.peaks.length;
  for (let column = 0; column < columns; column += 1) {
    const a = Math.floor((column * n) / columns);
    const b = Math.max(a + 1, Math.floor(((column + 1) * n) / columns));
    let low = 0;
    let high = 0;
    for (let i = a; i < b; i += 1) {
      low = Math.min(low, peaks.peaks[i][0]);
      high = Math.max(high, peaks.peaks[i][1]);
    }
    out.push([low, high]);
  }
  return { columns, peaks: out };
}

/**
 * The frame nearest `frame` (within `window` frames) where the signal crosses zero: of the two
 * frames either side of a change of sign, the one closer to zero. `frame` when none is near.
 */
export function nearestZeroCrossing(data: Float32Array, frame: number, window = 2048): number {
  const at = Math.max(0, Math.min(data.length - 1, Math.round(frame)));
  // The crossing between i - 1 and i, as the frame nearer to zero; null when the sign holds.
  const crossing = (i: number): number | null => {
    if (i <= 0 || i >= data.length) return null;
    if (data[i] === 0) return i;
    if (data[i - 1] < 0 === data[i] < 0) return null;
    return Math.abs(data[i - 1]) < Math.abs(data[i]) ? i - 1 : i;
  };
  for (let d = 0; d <= window; d += 1) {
    const before = crossing(at - d);
    if (before !== null) return before;
    const after = crossing(at + d + 1);
    if (after !== null) return after;
  }
  return at;
}

/** The beat nearest `frame` at `bpm` (beats counted from frame 0), when within `tolerance` frames; else null. */
export function nearestBeat(frame: number, bpm: number, sampleRate: number, tolerance: number): number | null {
  if (!(bpm > 0) || !(sampleRate > 0)) return null;
  const beat = (60 / bpm) * sampleRate;
  const nearest = Math.round(frame / beat) * beat;
  return Math.abs(nearest - frame) <= tolerance ? Math.round(nearest) : null;
}
