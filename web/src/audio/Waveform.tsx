/**
 * A sample's waveform (min/max peaks drawn on a canvas) with a playhead while it sounds. The
 * picture is decoration for sighted producers: screen readers hear the play button's name.
 */
import { useEffect, useRef } from "react";

import { resample, type Peaks } from "./peaks";
import { usePlayhead } from "./useAudio";
import "./audio.css";

export interface WaveformProps {
  peaks: Peaks | null | undefined;
  /** The voice whose position moves the playhead (a sample id, a pad label). */
  playKey: string;
  /** CSS height in px. */
  height?: number;
  /** Part of the sample that plays (0–1 of its length): the rest is dimmed. */
  range?: readonly [number, number] | null;
  className?: string;
}

function draw(canvas: HTMLCanvasElement, peaks: Peaks | null | undefined, range: WaveformProps["range"]): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const g = canvas.getContext("2d");
  if (!g) return;
  g.clearRect(0, 0, width, height);
  const style = getComputedStyle(canvas);
  const middle = height / 2;
  if (!peaks || peaks.peaks.length === 0) {
    g.fillStyle = style.getPropertyValue("--wave-empty") || "#3a3f47";
    g.fillRect(0, Math.floor(middle), width, Math.max(1, ratio));
    return;
  }
  const shown = resample(peaks, width);
  const step = width / shown.peaks.length;
  const on = style.color;
  const off = style.getPropertyValue("--wave-dim") || "#4b515a";
  const [from, to] = range ?? [0, 1];
  shown.peaks.forEach(([low, high], column) => {
    const x = column * step;
    const fraction = (column + 0.5) / shown.peaks.length;
    g.fillStyle = fraction >= from && fraction <= to ? on : off;
    const top = middle - Math.max(high, 0) * middle;
    const bottom = middle - Math.min(low, 0) * middle;
    g.fillRect(x, top, Math.max(1, step - (step > 2 ? 1 : 0)), Math.max(ratio, bottom - top));
  });
}

export function Waveform({ peaks, playKey, height = 40, range = null, className = "" }: WaveformProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const position = usePlayhead(playKey);
  const rangeKey = range ? `${range[0]}:${range[1]}` : "";

  useEffect(() => {
    const element = canvas.current;
    if (!element) return undefined;
    draw(element, peaks, range);
    const observer = new ResizeObserver(() => draw(element, peaks, range));
    observer.observe(element);
    return () => observer.disconnect();
    // rangeKey stands for range (a new array with the same ends must not redraw).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [peaks, rangeKey]);

  return (
    <div
      className={`waveform ${className}`}
      style={{ height }}
      aria-hidden="true"
      data-waveform={peaks ? "peaks" : "none"}
      data-playhead={position == null ? undefined : position.toFixed(3)}
    >
      <canvas ref={canvas} />
      {position != null && <span className="playhead" style={{ left: `${position * 100}%` }} />}
    </div>
  );
}
