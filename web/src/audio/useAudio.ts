/** React's view of the audio engine: what sounds now, and where a playing voice is. */
import { useEffect, useState, useSyncExternalStore } from "react";

import { getSnapshot, positionInSample, subscribe, type AudioSnapshot } from "./player";

export function useAudio(): AudioSnapshot {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/** Whether `key` (a sample id, a pad label) is sounding. */
export function usePlaying(key: string): boolean {
  return useAudio().voices.some((voice) => voice.key === key);
}

/** Whether the sample is being fetched or decoded for a play. */
export function useLoadingSample(sampleId: string): boolean {
  return useAudio().loading.includes(sampleId);
}

/** Where `key`'s voice is within its whole sample (0–1), once per animation frame; null when silent. */
export function usePlayhead(key: string): number | null {
  const playing = usePlaying(key);
  const [position, setPosition] = useState<number | null>(null);
  useEffect(() => {
    if (!playing) {
      setPosition(null);
      return undefined;
    }
    let frame = 0;
    const tick = (): void => {
      setPosition(positionInSample(key));
      frame = requestAnimationFrame(tick);
    };
    tick();
    return () => cancelAnimationFrame(frame);
  }, [key, playing]);
  return position;
}
