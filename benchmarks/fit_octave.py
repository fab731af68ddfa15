"""Fit the tempo-octave weights in analysis_engine/features/octave.py.

    .venv/bin/python benchmarks/fit_octave.py [--clips 176] [--seeds 1001 1002]

Renders band clips from MMA grooves the benchmark never uses (corpus.TRAINING_GROOVES) at
random tempi and keys, runs the real extractor to get each clip's first tempo estimate and the
octave cues of its three candidates, fits a logistic regression on "this candidate is within
4 % of the true tempo", and prints the constants to paste into octave.py. It also scores the
fitted choice on a held-out corpus of the benchmark's own grooves with another seed (never the
benchmark's seed), so a change of cue shows its effect before the benchmark is run.
Needs the bench extra (scikit-learn comes with librosa).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile
import torch
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import GROOVES, TRAINING_GROOVES, CorpusClip, build_corpus

from analysis_engine.features import extractor, octave

OUT = Path(__file__).resolve().parent / "out"
HELD_OUT_SEED = 7  # the benchmark uses 404
BATCH = 16


def cues_for(clips: list[CorpusClip]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(N, 3, F) cues and (N, 3) "candidate is right" for the band clips."""
    features: list[list[list[float]]] = []
    right: list[list[bool]] = []
    for start in range(0, len(clips), BATCH):
        part = clips[start : start + BATCH]
        audio = [soundfile.read(clip.path, dtype="float32", always_2d=True) for clip in part]
        with torch.inference_mode():
            _, signals = extractor._upload(
                [a for a, _ in audio], [r for _, r in audio], torch.device("cpu")
            )
            stats = extractor._analyse(signals, torch.device("cpu"))
        for clip, row in zip(part, stats, strict=True):
            first = float(row["first_bpm"])
            features.append(row["octave_cues"])
            right.append([abs(first * f / clip.bpm - 1.0) <= 0.04 for f in octave.FACTORS])
    return np.asarray(features, dtype=np.float64), np.asarray(right)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=176, help="band clips per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1001, 1002])
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation")
    args = parser.parse_args(argv)

    training: list[CorpusClip] = []
    for seed in args.seeds:
        corpus = build_corpus(
            OUT / f"octave-training-{seed}",
            n_band=args.clips,
            n_drums=0,
            seed=seed,
            grooves=TRAINING_GROOVES,
        )
        training += corpus.clips
    held_out = build_corpus(
        OUT / f"octave-held-out-{HELD_OUT_SEED}", n_band=96, n_drums=0, seed=HELD_OUT_SEED
    ).clips
    assert all(
        clip.name.split("_")[1] in {g.replace("&", "") for g in GROOVES} for clip in held_out
    )

    x, y = cues_for(training)
    usable = y.any(axis=1)  # clips whose first estimate is off by 3:2 teach nothing here
    flat_x = x[usable].reshape(-1, x.shape[2])
    flat_y = y[usable].reshape(-1)
    mean = flat_x.mean(axis=0)
    scale = flat_x.std(axis=0) + 1e-9
    model = LogisticRegression(C=args.C, max_iter=10_000).fit((flat_x - mean) / scale, flat_y)
    coef = model.coef_[0]

    def accuracy(cues: npt.NDArray[np.float64], truth: npt.NDArray[np.bool_]) -> float:
        score = ((cues - mean) / scale) @ coef
        return float(truth[np.arange(len(truth)), score.argmax(axis=1)].mean())

    hx, hy = cues_for(held_out)
    middle = octave.FACTORS.index(1.0)
    print(f"training: {len(training)} band clips from {len(TRAINING_GROOVES)} grooves")
    print(
        f"  first estimate right {y[:, middle].mean():.3f}, after the choice {accuracy(x, y):.3f}"
    )
    print(f"held out: {len(held_out)} band clips of the benchmark's grooves, seed {HELD_OUT_SEED}")
    after = accuracy(hx, hy)
    print(f"  first estimate right {hy[:, middle].mean():.3f}, after the choice {after:.3f}")
    print("\n# Paste into analysis_engine/features/octave.py:")
    for name, values in (("_MEAN", mean), ("_SCALE", scale), ("_COEF", coef)):
        print(f"{name} = ({', '.join(f'{v:.6g}' for v in values)})")
    for name, weight in zip(octave.FEATURE_NAMES, coef, strict=True):
        print(f"#   {name:30s} {weight:+.3f}")


if __name__ == "__main__":
    main()
