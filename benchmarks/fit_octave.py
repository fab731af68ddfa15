"""Fit the host-side decisions: the tempo-octave weights (octave.py) and the key model (keys.py).

    .venv/bin/python benchmarks/fit_octave.py [--band 96] [--drums 54] [--hits 24]

Renders (or reuses) the benchmark corpus (benchmarks/corpus.py: never a source reserved for
judging), runs the real extractor once to get each clip's evidence, fits on every clip and
prints the constants to paste into analysis_engine/features/octave.py and keys.py. The same
fitting functions serve `bench_features.py`, whose headline refits them leaving out whole
groove families and drum kits: that cross-validated score, not this fit's, is the estimate.

- Octave: a conditional logit over each band mix's candidates (half, estimate, double, those
  in 40-240 BPM): the softmax of a linear score of their cues, fitted to put its mass on the
  one within 4 % of the true tempo (after Percival & Tzanetakis' octave classifier).
- Key: the profile family and bass weight with the best mean MIREX score on the pitched clips;
  the tonality floor that best separates pitched clips from drums, hits and noise; and a
  logistic calibration of "exactly right" on (correlation, margin, tonality).
Needs the bench extra (scikit-learn comes with librosa), imported only when fitting.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from corpus import CorpusClip

from analysis_engine.features import keys, octave
from analysis_engine.features.model import MODES, PITCH_CLASSES

BATCH = 16
# The floor never goes below this, whatever the training clips say.
_MIN_TONALITY_FLOOR = 0.08


def octave_rows(
    clips: Sequence[CorpusClip], stats: Sequence[dict[str, Any]]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(N, C, F) cues, (N, C) "candidate is right" and (N, C) "candidate may be chosen" for
    the clips with a true tempo (C = len(octave.FACTORS))."""
    features: list[Any] = []
    right: list[list[bool]] = []
    allowed: list[Any] = []
    for clip, row in zip(clips, stats, strict=True):
        first = float(row["first_bpm"])
        features.append(row["octave_cues"])
        right.append([abs(first * f / clip.bpm - 1.0) <= 0.04 for f in octave.FACTORS])
        allowed.append(octave.candidate_allowed(first))
    n_features, n_candidates = len(octave.FEATURE_NAMES), len(octave.FACTORS)
    return (
        np.asarray(features, dtype=np.float64).reshape(-1, n_candidates, n_features),
        np.asarray(right, dtype=bool).reshape(-1, n_candidates),
        np.asarray(allowed, dtype=bool).reshape(-1, n_candidates),
    )


def fit_octave_model(
    clips: Sequence[CorpusClip], stats: Sequence[dict[str, Any]], c: float = 1.0
) -> octave.OctaveModel:
    """A conditional logit over the band mixes' candidates: the softmax of the linear score
    over each clip's allowed candidates, fitted to put its mass on the right ones, with an
    L2 penalty of 1/(2c) on the weights of the standardised cues."""
    from scipy.optimize import minimize

    band = [(clip, row) for clip, row in zip(clips, stats, strict=True) if clip.kind == "band"]
    x, y, allowed = octave_rows([b[0] for b in band], [b[1] for b in band])
    # Clips with no right candidate teach nothing here, nor do candidates never chosen.
    keep = (y & allowed).any(axis=1)
    x, y, allowed = x[keep], y[keep], allowed[keep]
    mean = x[allowed].mean(axis=0)
    scale = x[allowed].std(axis=0) + 1e-9
    z = (x - mean) / scale

    def loss(coef: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        score = np.where(allowed, z @ coef, -np.inf)
        top = score.max(axis=1, keepdims=True)
        weights = np.exp(score - top)
        total = weights.sum(axis=1)
        right = np.where(y & allowed, weights, 0.0).sum(axis=1)
        value = -np.log(right / total).sum() + 0.5 / c * coef @ coef
        # d/dcoef of -log(sum_right / sum_all): E_all[z] - E_right[z].
        p_all = weights / total[:, None]
        p_right = np.where(y & allowed, weights, 0.0) / right[:, None]
        gradient = np.einsum("nk,nkf->f", p_all - p_right, np.where(allowed[..., None], z, 0.0))
        return float(value), gradient + coef / c

    fitted = minimize(loss, np.zeros(z.shape[2]), jac=True, method="L-BFGS-B")
    return octave.OctaveModel(
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in fitted.x),
    )


def _mirex(index: int, true_key: str, true_mode: str) -> float:
    interval = (index % 12 - PITCH_CLASSES.index(true_key)) % 12
    mode = MODES[index // 12]
    if mode == true_mode:
        return 1.0 if interval == 0 else 0.5 if interval in (5, 7) else 0.0
    if (true_mode, interval) in (("major", 9), ("minor", 3)):
        return 0.3
    return 0.2 if interval == 0 else 0.0


def fit_key_model(clips: Sequence[CorpusClip], stats: Sequence[dict[str, Any]]) -> keys.KeyModel:
    """Profile and bass weight by MIREX score, the tonality floor, and the calibration."""
    from sklearn.linear_model import LogisticRegression

    pitched = [
        (clip, row)
        for clip, row in zip(clips, stats, strict=True)
        if clip.key is not None and clip.mode is not None
    ]
    unpitched = [float(row["tonality"]) for clip, row in zip(clips, stats, strict=True)
                 if clip.key is None]  # fmt: skip
    best_choice: tuple[float, str, float] = (-1.0, "temperley", 0.0)
    for profile in keys.PROFILES:
        for weight in keys.BASS_WEIGHTS:
            total = 0.0
            for clip, row in pitched:
                scores = keys.correlations(
                    row["chroma_energy"], row["bass_energy"], profile, weight
                )
                if scores is not None:
                    total += _mirex(int(np.argmax(scores)), str(clip.key), str(clip.mode))
            # Ties go to the earlier (simpler) choice: no bass weight, then the list's order.
            if total > best_choice[0] + 1e-9:
                best_choice = (total, profile, weight)
    _, profile, weight = best_choice

    # Tonality floor: the threshold that misclassifies fewest clips (pitched vs unpitched),
    # placed midway between the neighbouring values.
    tonal = sorted(float(row["tonality"]) for _, row in pitched)
    values = sorted(set(tonal + unpitched))
    best_floor, best_errors = _MIN_TONALITY_FLOOR, len(values) + 1
    for low, high in itertools.pairwise(values):
        floor = 0.5 * (low + high)
        errors = sum(t < floor for t in tonal) + sum(t >= floor for t in unpitched)
        if errors < best_errors:
            best_floor, best_errors = floor, errors
    floor = max(_MIN_TONALITY_FLOOR, best_floor)

    features, right = [], []
    for clip, row in pitched:
        scores = keys.correlations(row["chroma_energy"], row["bass_energy"], profile, weight)
        if scores is None:
            continue
        index, best, margin = keys.margin_features(scores)
        features.append((best, margin, float(row["tonality"])))
        right.append(_mirex(index, str(clip.key), str(clip.mode)) == 1.0)
    x, y = np.asarray(features), np.asarray(right)
    if y.all() or not y.any():
        calibration = (2.0 if y.all() else -2.0, 0.0, 0.0, 0.0)
    else:
        # Standardised for the fit (the regularisation then treats each cue alike), then
        # folded back into weights of the raw cues.
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        fitted = LogisticRegression(C=1.0, max_iter=10_000).fit((x - mean) / scale, y)
        weights = fitted.coef_[0] / scale
        intercept = float(fitted.intercept_[0]) - float(weights @ mean)
        calibration = (intercept, *(float(v) for v in weights))
    return keys.KeyModel(profile, weight, floor, calibration)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    from bench_features import OUT, corpus_evidence

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--band", type=int, default=96)
    parser.add_argument("--drums", type=int, default=54)
    parser.add_argument("--hits", type=int, default=24)
    args = parser.parse_args(argv)
    clips, evidence = corpus_evidence(OUT, args.band, args.drums, args.hits)
    stats = [e.stats for e in evidence]
    timed = [(c, s) for c, s in zip(clips, stats, strict=True) if c.bpm > 0]
    octave_model = fit_octave_model([c for c, _ in timed], [s for _, s in timed])
    key_model = fit_key_model(clips, stats)
    print(f"fitted on {len(clips)} clips under {OUT}\n")

    def numbers(values: Sequence[float]) -> str:
        return "(" + ", ".join(f"{v:.6g}" for v in values) + ")"

    print("# analysis_engine/features/octave.py")
    print("DEFAULT_MODEL = OctaveModel(")
    print(f"    mean={numbers(octave_model.mean)},")
    print(f"    scale={numbers(octave_model.scale)},")
    print(f"    coef={numbers(octave_model.coef)},")
    print(")")
    for name, weight in zip(octave.FEATURE_NAMES, octave_model.coef, strict=True):
        print(f"#   {name:30s} {weight:+.3f}")
    print("\n# analysis_engine/features/keys.py")
    print("DEFAULT_MODEL = KeyModel(")
    print(f"    profile={key_model.profile!r},")
    print(f"    bass_weight={key_model.bass_weight},")
    print(f"    min_tonality={key_model.min_tonality:.6g},")
    print(f"    calibration={numbers(key_model.calibration)},")
    print(")")


if __name__ == "__main__":
    main()
