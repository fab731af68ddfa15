/** The play/stop button of a row: one click plays the sample (stopping any other audition), another stops it. */
import type { MouseEvent } from "react";

import { loadBuffer, toggle } from "./player";
import { useAudio } from "./useAudio";
import "./audio.css";

export interface PlayButtonProps {
  sampleId: string;
  /** What the button is named after ("Play Dusty Keys"). */
  title: string;
  /** A loop plays looped until stopped. */
  loop?: boolean | null;
  /** The voice key, when one sample appears twice on a page; the sample id by default. */
  playKey?: string;
  className?: string;
}

export function PlayButton({ sampleId, title, loop, playKey, className = "" }: PlayButtonProps) {
  const key = playKey ?? sampleId;
  const audio = useAudio();
  const playing = audio.voices.some((voice) => voice.key === key);
  const loading = !playing && audio.loading.includes(sampleId);
  const failed = audio.error?.key === key ? audio.error.message : null;

  function onClick(event: MouseEvent<HTMLButtonElement>): void {
    // The click's own time: the benchmark measures from it to the first sound.
    const clickedAt = event.timeStamp || performance.now();
    toggle(sampleId, { key, loop: Boolean(loop), clickedAt }).catch(() => {
      // The error is in the audio state, shown by the button's title.
    });
  }

  // Fetching starts on the press, not the release: a person's click holds the button for tens
  // of milliseconds, which the first play of a sample can use.
  function onPointerDown(): void {
    if (!playing) loadBuffer(sampleId).catch(() => undefined);
  }

  return (
    <button
      type="button"
      className={`play-button ${playing ? "is-playing" : ""} ${className}`}
      aria-pressed={playing}
      aria-label={`${playing ? "Stop" : "Play"} ${title}`}
      title={failed ?? undefined}
      data-audition={key}
      data-playing={playing ? "true" : "false"}
      data-play-button=""
      data-sample={sampleId}
      data-loop={loop ? "true" : "false"}
      onPointerDown={onPointerDown}
      onClick={onClick}
    >
      <span aria-hidden="true">{loading ? "…" : playing ? "■" : "▶"}</span>
    </button>
  );
}
