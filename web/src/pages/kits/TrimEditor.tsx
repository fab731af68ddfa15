/**
 * A pad's start and end points on its sample's waveform: drag a marker (or focus it and use the
 * arrow keys), and it snaps to the nearest zero crossing, and to the nearest beat when the
 * sample's tempo is known. Saved on the pad (in the sample's own frames), played by the pad and
 * written by every export.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";

import { nearestBeat, nearestZeroCrossing, peaksOf, type Peaks } from "../../audio/peaks";
import { loadBuffer, play, stop } from "../../audio/player";
import { Waveform } from "../../audio/Waveform";
import { ErrorMessage } from "../../components/Alert";
import { padLabel } from "./grid";
import type { Pad } from "./types";

interface Decoded {
  peaks: Peaks;
  /** Channel 0 at the decoder's rate, and how many of the sample's own frames one of its frames is. */
  data: Float32Array;
  ratio: number;
}

type Marker = "start" | "end";

/** Zero crossings are looked for within 5 ms; a beat pulls a marker from 2 % of the sample away. */
const ZERO_WINDOW_S = 0.005;
const BEAT_PULL = 0.02;

function seconds(frames: number, rate: number): string {
  return `${(frames / rate).toFixed(3)} s`;
}

export function TrimEditor({ pad, busy, onSave }: { pad: Pad; busy: boolean; onSave: (start: number | null, end: number | null) => void }) {
  const label = padLabel(pad);
  const frames = pad.sample.frames;
  const rate = pad.sample.sample_rate;
  const bpm = pad.sample.bpm;
  const [decoded, setDecoded] = useState<Decoded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [start, setStart] = useState(pad.start ?? 0);
  const [end, setEnd] = useState(pad.end ?? frames ?? 0);
  const [zero, setZero] = useState(true);
  const [beats, setBeats] = useState(Boolean(bpm));
  const area = useRef<HTMLDivElement>(null);
  const dragging = useRef<Marker | null>(null);
  const previewKey = `trim:${label}`;

  useEffect(() => {
    if (!frames) return undefined;
    let live = true;
    loadBuffer(pad.sample_id)
      .then((buffer) => {
        if (!live) return;
        const channels = Array.from({ length: buffer.numberOfChannels }, (_, index) => buffer.getChannelData(index));
        setDecoded({ peaks: peaksOf(channels, 800), data: channels[0], ratio: frames / buffer.length });
      })
      .catch((caught: unknown) => {
        if (live) setError(caught);
      });
    return () => {
      live = false;
      stop(previewKey);
    };
  }, [pad.sample_id, frames, previewKey]);

  if (!frames || !rate) {
    return <p className="muted">Start and end points can be set once the sample is analysed.</p>;
  }
  const total = frames;
  const sampleRate = rate;

  /** The frame a marker lands on: a beat nearby, then the nearest zero crossing. */
  function snap(frame: number): number {
    let at = Math.max(0, Math.min(total, Math.round(frame)));
    if (beats && bpm) at = nearestBeat(at, bpm, sampleRate, total * BEAT_PULL) ?? at;
    if (zero && decoded) {
      const window = Math.round((ZERO_WINDOW_S * sampleRate) / decoded.ratio);
      at = Math.round(nearestZeroCrossing(decoded.data, at / decoded.ratio, window) * decoded.ratio);
    }
    return Math.max(0, Math.min(total, at));
  }

  function place(marker: Marker, frame: number): void {
    // At least a millisecond between the two points.
    const gap = Math.max(1, Math.round(sampleRate / 1000));
    const at = snap(frame);
    if (marker === "start") setStart(Math.min(at, end - gap));
    else setEnd(Math.max(at, start + gap));
  }

  function frameAt(clientX: number): number {
    const box = area.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return ((clientX - box.left) / box.width) * total;
  }

  function onPointerDown(marker: Marker) {
    return (event: PointerEvent<HTMLSpanElement>): void => {
      event.preventDefault();
      dragging.current = marker;
      event.currentTarget.setPointerCapture(event.pointerId);
      event.currentTarget.focus();
    };
  }

  function onPointerMove(event: PointerEvent<HTMLSpanElement>): void {
    if (dragging.current) place(dragging.current, frameAt(event.clientX));
  }

  function onPointerUp(): void {
    dragging.current = null;
  }

  function onKeyDown(marker: Marker) {
    return (event: KeyboardEvent<HTMLSpanElement>): void => {
      const value = marker === "start" ? start : end;
      const step = Math.round(sampleRate * (event.shiftKey ? 0.1 : 0.01));
      let next: number | null = null;
      if (event.key === "ArrowLeft" || event.key === "ArrowDown") next = value - step;
      else if (event.key === "ArrowRight" || event.key === "ArrowUp") next = value + step;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = total;
      if (next === null) return;
      event.preventDefault();
      // Snapping must not undo a key step: step on until the snapped point moves.
      const snapped = snap(next);
      if (snapped === value && next !== value) next += next > value ? step : -step;
      place(marker, next);
    };
  }

  function audition(): void {
    void play(pad.sample_id, {
      kind: "pad",
      key: previewKey,
      start,
      end,
      sampleRate,
      loop: pad.loop,
      volume: pad.volume,
      pitch: pad.pitch,
    }).catch(() => undefined);
  }

  const trimmed = start > 0 || end < total;
  const saved = (pad.start ?? 0) === start && (pad.end ?? total) === end;
  const marker = (name: Marker, value: number) => (
    <span
      className={`trim-marker trim-${name}`}
      style={{ left: `${(value / total) * 100}%` }}
      role="slider"
      tabIndex={0}
      aria-label={`${name === "start" ? "Start" : "End"} point of pad ${label}`}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={value}
      aria-valuetext={seconds(value, sampleRate)}
      data-frame={value}
      onPointerDown={onPointerDown(name)}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown(name)}
    />
  );

  return (
    <div className="trim" aria-label={`Start and end points of pad ${label}`} role="group">
      <div className="trim-area" ref={area}>
        <Waveform peaks={decoded?.peaks} playKey={previewKey} height={72} range={[start / total, end / total]} />
        {marker("start", start)}
        {marker("end", end)}
      </div>
      <p className="trim-figures" aria-live="polite">
        Start {seconds(start, sampleRate)} · End {seconds(end, sampleRate)} · {(end - start).toLocaleString("en")} frames
        of {total.toLocaleString("en")}
      </p>
      <div className="kit-choice">
        <label>
          <input type="checkbox" checked={zero} onChange={(event) => setZero(event.target.checked)} /> Snap to zero
          crossings
        </label>
        <label>
          <input type="checkbox" checked={beats} disabled={!bpm} onChange={(event) => setBeats(event.target.checked)} />{" "}
          Snap to beats{bpm ? ` (${Math.round(bpm)} BPM)` : " (tempo unknown)"}
        </label>
      </div>
      <div className="kit-actions">
        <button type="button" className="kit-secondary" onClick={audition}>
          Play trim
        </button>
        <button type="button" disabled={busy || saved} onClick={() => onSave(trimmed ? start : null, trimmed ? end : null)}>
          Save start and end
        </button>
        <button
          type="button"
          className="kit-secondary"
          disabled={busy || (!trimmed && pad.start == null)}
          onClick={() => {
            setStart(0);
            setEnd(total);
            onSave(null, null);
          }}
        >
          Whole sample
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
}
