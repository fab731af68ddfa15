/** The analysis figures a producer cares about, in words and units rather than raw JSON. */

type Row = [label: string, key: string, show: (value: number) => string];

const ROWS: Row[] = [
  ["Tempo", "tempo_bpm", (v) => `${v.toFixed(1)} BPM`],
  ["Tempo confidence", "tempo_confidence", (v) => `${Math.round(v * 100)} %`],
  ["Key confidence", "key_confidence", (v) => `${Math.round(v * 100)} %`],
  ["Loudness", "lufs_integrated", (v) => `${v.toFixed(1)} LUFS`],
  ["Peak", "peak_dbfs", (v) => `${v.toFixed(1)} dBFS`],
  ["RMS", "rms_dbfs", (v) => `${v.toFixed(1)} dBFS`],
  ["Brightness (spectral centroid)", "spectral_centroid_hz", (v) => `${Math.round(v)} Hz`],
  ["Onsets", "onset_rate", (v) => `${v.toFixed(1)} per second`],
  ["Harmonic / percussive", "harmonic_percussive_ratio", (v) => v.toFixed(2)],
];

export function FeatureTable({ features }: { features: Record<string, unknown> }) {
  const key = typeof features.key === "string" ? `${features.key} ${String(features.mode ?? "")}`.trim() : null;
  return (
    <dl className="features">
      {key && (
        <div>
          <dt>Key</dt>
          <dd>{key}</dd>
        </div>
      )}
      {typeof features.is_loop === "boolean" && (
        <div>
          <dt>Kind</dt>
          <dd>{features.is_loop ? "Loop" : "One-shot"}</dd>
        </div>
      )}
      {ROWS.map(([label, name, show]) => {
        const value = features[name];
        return typeof value === "number" ? (
          <div key={name}>
            <dt>{label}</dt>
            <dd>{show(value)}</dd>
          </div>
        ) : null;
      })}
    </dl>
  );
}
