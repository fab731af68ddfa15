"""Accuracy and speed of the feature extractor against librosa, measured in one run.

    .venv/bin/python benchmarks/bench_features.py [--band 48] [--drums 24] [--repeats 2]

Needs librosa (`pip install 'librosa==0.11.*'`) as the reference; it is never the engine.
Prints tempo Acc1 (within 4 %), Acc2 (also x2, x1/2, x3, x1/3), the MIREX weighted key score,
seconds per clip on the CPU for both, and clips/s on CUDA when a GPU is present.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import NOTES, CorpusClip, build_corpus

from analysis_engine.features import decode_audio
from analysis_engine.features.extractor import extract_batch

OUT = Path(__file__).resolve().parent / "out" / "corpus"
# Krumhansl-Kessler, the usual recipe with librosa chroma.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def tempo_hits(estimate: float | None, truth: float) -> tuple[bool, bool]:
    """(Acc1, Acc2) for one clip: within 4 %, and also at x2, x1/2, x3, x1/3."""
    if estimate is None or estimate <= 0:
        return False, False
    acc1 = abs(estimate / truth - 1.0) <= 0.04
    acc2 = any(abs(estimate / (truth * f) - 1.0) <= 0.04 for f in (1.0, 2.0, 0.5, 3.0, 1 / 3))
    return acc1, acc2


def mirex_key_score(key: str | None, mode: str | None, true_key: str, true_mode: str) -> float:
    """1 exact, 0.5 a fifth away in the same mode, 0.3 relative, 0.2 parallel, else 0."""
    if key is None or mode is None:
        return 0.0
    est, ref = NOTES.index(key), NOTES.index(true_key)
    interval = (est - ref) % 12
    if mode == true_mode:
        if interval == 0:
            return 1.0
        if interval in (5, 7):
            return 0.5
        return 0.0
    if true_mode == "major" and mode == "minor" and interval == 9:
        return 0.3
    if true_mode == "minor" and mode == "major" and interval == 3:
        return 0.3
    if interval == 0:
        return 0.2
    return 0.0


def librosa_pipeline() -> Callable[[np.ndarray, int], tuple[float, str, str]]:
    """The equivalent librosa analysis for one clip: returns (tempo, key, mode)."""
    import librosa

    def analyse(samples: np.ndarray, rate: int) -> tuple[float, str, str]:
        sr = 22050
        y = librosa.resample(np.ascontiguousarray(samples.mean(axis=1)), orig_sr=rate, target_sr=sr)
        spec = np.abs(librosa.stft(y))
        mel = librosa.feature.melspectrogram(S=spec**2, sr=sr)
        librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=13)
        librosa.feature.spectral_centroid(S=spec, sr=sr)
        librosa.feature.spectral_bandwidth(S=spec, sr=sr)
        librosa.feature.spectral_rolloff(S=spec, sr=sr)
        librosa.feature.spectral_flatness(S=spec)
        librosa.feature.zero_crossing_rate(y)
        librosa.decompose.hpss(spec)
        envelope = librosa.onset.onset_strength(y=y, sr=sr)
        librosa.onset.onset_detect(onset_envelope=envelope, sr=sr)
        tempo = float(librosa.feature.tempo(onset_envelope=envelope, sr=sr)[0])
        chroma = librosa.feature.chroma_cqt(y=y, sr=sr).sum(axis=1)
        scores = [
            (np.corrcoef(chroma, np.roll(profile, tonic))[0, 1], NOTES[tonic], mode)
            for mode, profile in (("major", KK_MAJOR), ("minor", KK_MINOR))
            for tonic in range(12)
        ]
        _, key, mode = max(scores)
        return tempo, key, mode

    return analyse


def summarise(
    clips: Sequence[CorpusClip],
    tempi: Sequence[float | None],
    keys: Sequence[tuple[str | None, str | None]],
) -> dict[str, float]:
    """Acc1/Acc2 over all clips and by cut, and the mean MIREX key score over tonal clips."""
    hits = [tempo_hits(t, c.bpm) for t, c in zip(tempi, clips, strict=True)]
    drums = [h for h, c in zip(hits, clips, strict=True) if c.kind == "drums"]
    band = [h for h, c in zip(hits, clips, strict=True) if c.kind == "band"]
    loop = [h for h, c in zip(hits, clips, strict=True) if c.loop_cut]
    free = [h for h, c in zip(hits, clips, strict=True) if not c.loop_cut]
    key_scores = [
        mirex_key_score(k, m, c.key, c.mode)
        for (k, m), c in zip(keys, clips, strict=True)
        if c.key is not None and c.mode is not None
    ]
    return {
        "acc1": float(np.mean([h[0] for h in hits])),
        "acc2": float(np.mean([h[1] for h in hits])),
        "acc1_drums": float(np.mean([h[0] for h in drums])) if drums else float("nan"),
        "acc1_band": float(np.mean([h[0] for h in band])) if band else float("nan"),
        "acc1_loop_cut": float(np.mean([h[0] for h in loop])) if loop else float("nan"),
        "acc1_free_cut": float(np.mean([h[0] for h in free])) if free else float("nan"),
        "key": float(np.mean(key_scores)) if key_scores else float("nan"),
    }


def main() -> None:
    """Build the corpus, run both analysers, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--band", type=int, default=48)
    parser.add_argument("--drums", type=int, default=24)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    corpus = build_corpus(OUT, n_band=args.band, n_drums=args.drums)
    clips = corpus.clips
    audio = [decode_audio(c.path) for c in clips]
    seconds = sum(a.samples.shape[0] / a.sample_rate for a in audio)
    print(f"corpus: {len(clips)} clips, {seconds / len(clips):.1f} s mean, source={corpus.source}")
    print(f"  built/loaded in {time.perf_counter() - started:.1f} s under {OUT}")

    analyse = librosa_pipeline()
    extract_batch(list(audio[:2]), device="cpu")  # warm-up: caches, allocator
    analyse(*audio[0])  # warm-up: numba compiles on first use
    # Alternate the two and keep each one's best pass: the machine may be shared.
    ours_s = librosa_s = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ours = []
        for start in range(0, len(audio), args.batch):
            ours.extend(extract_batch(list(audio[start : start + args.batch]), device="cpu"))
        ours_s = min(ours_s, (time.perf_counter() - t0) / len(audio))
        t0 = time.perf_counter()
        reference = [analyse(*a) for a in audio]
        librosa_s = min(librosa_s, (time.perf_counter() - t0) / len(audio))

    mine = summarise(clips, [f.tempo_bpm for f in ours], [(f.key, f.mode) for f in ours])
    theirs = summarise(clips, [r[0] for r in reference], [(r[1], r[2]) for r in reference])
    rows = [
        ("tempo Acc1 (+-4 %)", "acc1", ">= 0.90"),
        ("tempo Acc2 (x2 x1/2 x3 x1/3)", "acc2", ">= 0.97"),
        ("  Acc1, drum loops (hydrogen kits)", "acc1_drums", ""),
        ("  Acc1, band mixes (mma+fluidsynth)", "acc1_band", ""),
        ("  Acc1, clips cut to whole bars", "acc1_loop_cut", ""),
        ("  Acc1, clips cut mid-bar", "acc1_free_cut", ""),
        ("key, MIREX weighted", "key", ">= 0.95"),
    ]
    print(f"\n{'metric':34} {'ours':>8} {'librosa':>8}  target")
    for label, name, target in rows:
        print(f"{label:34} {mine[name]:8.3f} {theirs[name]:8.3f}  {target}")
    print(f"{'CPU seconds per clip':34} {ours_s:8.4f} {librosa_s:8.4f}")
    print(
        f"{'speed-up vs librosa (ratio)':34} {librosa_s / ours_s:8.1f}x {'':8}  >= 5x  "
        f"(torch threads={torch.get_num_threads()}, batch={args.batch}, best of {args.repeats})"
    )
    misses = [
        f"{c.name}: ours {f.tempo_bpm and round(f.tempo_bpm, 1)}"
        for c, f in zip(clips, ours, strict=True)
        if not tempo_hits(f.tempo_bpm, c.bpm)[0]
    ]
    print(f"\ntempo misses (ours): {len(misses)}")
    for line in misses:
        print("  " + line)

    if torch.cuda.is_available():
        print("\nCUDA clips/s by batch size (same clips, repeated to fill the batch):")
        for size in (1, 32, 256):
            batch = [audio[i % len(audio)] for i in range(size)]
            extract_batch(batch, device="cuda")
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            repeats = max(1, 256 // size)
            for _ in range(repeats):
                extract_batch(batch, device="cuda")
            torch.cuda.synchronize()
            rate = size * repeats / (time.perf_counter() - t0)
            print(f"  batch {size:4d}: {rate:8.1f} clips/s")
    else:
        print("\nCUDA: not available on this machine; GPU throughput not measured.")


if __name__ == "__main__":
    main()
