/**
 * The sample's waveform with its play button; the playhead moves while it sounds. Before the
 * analysis has stored the waveform, the first play draws it from the decoded audio.
 */
import { useEffect, useState } from "react";

import { peaksOf, type Peaks } from "../../audio/peaks";
import { loadBuffer } from "../../audio/player";
import { PlayButton } from "../../audio/PlayButton";
import { waveformOf } from "../../audio/sampleWave";
import { usePlaying } from "../../audio/useAudio";
import { Waveform } from "../../audio/Waveform";

export function SampleAudition({ sample, label }: { sample: { id: string; is_loop: boolean | null }; label: string }) {
  const stored = waveformOf(sample);
  const playing = usePlaying(sample.id);
  const [drawn, setDrawn] = useState<Peaks | null>(null);

  useEffect(() => {
    if (stored || drawn || !playing) return;
    let live = true;
    loadBuffer(sample.id)
      .then((buffer) => {
        const channels = Array.from({ length: buffer.numberOfChannels }, (_, index) => buffer.getChannelData(index));
        if (live) setDrawn(peaksOf(channels, 1000));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sample.id, stored, drawn, playing]);

  return (
    <div className="wave-row sample-wave">
      <PlayButton sampleId={sample.id} title={label} loop={sample.is_loop} />
      <Waveform peaks={stored ?? drawn} playKey={sample.id} height={96} />
    </div>
  );
}
