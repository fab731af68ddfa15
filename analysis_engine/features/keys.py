"""Key, mode and a calibrated confidence from chroma evidence; no key for unpitched sound.

The torch side (`key_evidence`, `opening_evidence`) reduces a batch's harmonic log-frequency
spectrogram to five things per clip: the pitch-class energy of everything, that of the bass
(E1-E3) alone, that of the clip's first quarter (where a loop usually plays its tonic chord),
a tonality between 0 (noise, hits: energy spread evenly across the 1/3-semitone sub-bins)
and 1 (tones on a tuned grid: energy on one sub-bin of every three, whatever the tuning), and
the clarity: the same tonality of what stands above each semitone's floor (a floor that
follows the spectrum's slope, lowered to the semitone's weakest sub-bin). Broadband sound
that the harmonic mask lets through (hats, rides, hiss, a crushed mix) lays that floor under
all three sub-bins and so dilutes the tonality of the tones above it, but not their clarity:
a techno loop whose hats fill the treble reads a tonality of 0.11, like the busiest drum loop,
and a clarity of 0.35 or more, against 0.26 at most for any drum loop or drum hit of the
corpora, and under 0.16 for white, pink and brown noise. The host side (`decide`) turns them
into a key with plain numpy: correlation with 24 rotated key profiles of a weighted sum of the
three chromas, no key when the clarity is low, and a confidence that is the fitted probability
of being exactly right (a logistic calibration of the correlation, its margin over the
runner-up and the clarity). The tonality stays a timbre figure of the similarity descriptor.

The two profiles (major and minor, tonic first) are part of the fitted model: a published
profile (`PROFILES`), or a blend of one with a profile learned from rendered band loops
(the mean of their chromas rotated to the tonic), at most half learned. A profile learned
from whole mixes knows what the published ones, made from symbolic notes or listeners'
ratings, do not: that a fifth's energy is also the third harmonic of the tonic, and how much
of the dominant a loop shows; the published half keeps it from learning only the handful of
progressions the corpus plays.
`benchmarks/fit_octave.py` fits the profiles, the bass and opening weights, the clarity floor
and the calibration; `bench_features.py` judges them by cross-validation leaving out whole
groove families and drum kits, and on a harmony stress set leaving out chord progressions too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import torch

from analysis_engine.features.model import MODES, PITCH_CLASSES

# Tonic-first (major, minor) key profiles.
PROFILES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    # Temperley's Kostka-Payne profiles.
    "temperley": (
        (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400),
        (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330),
    ),
    # Krumhansl-Kessler probe-tone ratings.
    "krumhansl": (
        (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
        (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
    ),
    # Albrecht & Shanahan (2013), from a corpus of classical pieces.
    "albrecht": (
        (0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081),
        (0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052),
    ),
    # Sha'ath's KeyFinder profiles (Krumhansl's, adjusted on pop music).
    "shaath": (
        (6.6, 2.0, 3.5, 2.3, 4.6, 4.0, 2.5, 5.2, 2.4, 3.7, 2.3, 3.4),
        (6.5, 2.7, 3.5, 5.4, 2.6, 3.5, 2.5, 5.2, 4.0, 2.7, 4.3, 3.2),
    ),
}
BASS_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
# The opening of a clip is where a loop most often plays its tonic chord (a loop is cut from
# the top of its progression): the chroma of its first quarter may count extra in the mix.
OPENING_SHARE = 0.25
# 1/3-semitone bins of spectral.log_frequency_bank (C1 = MIDI 24, three per semitone, the
# centre of semitone s at index 3 s + 1). Tonality reads G3-C#8, where a sub-bin is wider
# than an STFT bin; the bass chroma E1-E3.
_TONAL_BINS = ((55 - 24) * 3, (100 - 24) * 3)
_BASS_BINS = ((28 - 24) * 3, (52 - 24) * 3)
# Sub-bins over which the clarity's floor follows the spectrum's slope (a semitone and two
# thirds: wide enough to see past a tone's own sub-bin, narrow enough to bend with the tilt).
_SLOPE_SPAN = 5

Profile = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class KeyModel:
    """What `decide` needs: fitted by benchmarks/fit_octave.py (see the module doc)."""

    # Tonic-first (major, minor) profiles: only their shape matters (centred and normalised).
    profiles: tuple[Profile, Profile]
    bass_weight: float
    # Below this clarity (`key_evidence`) a clip is unpitched and gets no key.
    min_clarity: float
    # Logistic calibration: intercept, then weights of best correlation, margin, clarity.
    calibration: tuple[float, float, float, float]
    # How the profiles were made, for reports: "temperley", "learned", "learned 50% + albrecht".
    source: str = ""
    # Weight of the opening quarter's chroma in the mix (beside the whole clip's, weight 1).
    opening_weight: float = 0.0


# Fitted by benchmarks/fit_octave.py on the rendered corpus (all groove families and kits; its
# renders are seeded since FEATURE_VERSION 8, so the fit is the same on every machine): half
# Albrecht's profiles, half those learned from the 96 band loops (the held-out choice).
# The calibration is fitted on held-out clips of corpus v2 and of the harmony stress set
# (corpus v3: progressions the profiles never heard), so that a confidence holds on a
# producer's harmony too; calibrated on v2 alone it said "97 %" of keys right three times in
# four on v3 (FEATURE_VERSION 7). Its inner cross-validation keeps the margin alone since the
# floor reads the clarity (FEATURE_VERSION 10): it used to weigh the tonality too.
_FITTED_PROFILES = (
    (0.521683, -0.292413, 0.127664, -0.321237, 0.224477, -0.00351272,
     -0.236501, 0.469659, -0.293825, 0.0712638, -0.319115, 0.0518552),
    (0.5577, -0.350814, 0.0686062, 0.14992, -0.278413, 0.0950645,
     -0.277315, 0.54127, -0.0464513, -0.233046, -0.104181, -0.122339),
)  # fmt: skip
DEFAULT_MODEL = KeyModel(
    profiles=_FITTED_PROFILES,
    bass_weight=0.0,
    min_clarity=0.310726,
    calibration=(-0.151864, 0.0, 13.5548, 0.0),
    source="learned 50% + albrecht",
)


class KeyEvidence(NamedTuple):
    """What the torch side measured of a batch for the key, one row per clip."""

    chroma: torch.Tensor  # (B, 12) pitch-class energy
    bass: torch.Tensor  # (B, 12) pitch-class energy of E1-E3
    tonality: torch.Tensor  # (B,) share of the treble's energy on one sub-bin in three
    clarity: torch.Tensor  # (B,) the same, of what stands above each semitone's floor


def key_evidence(tonal_log_freq: torch.Tensor, fold: torch.Tensor) -> KeyEvidence:
    """The key evidence of a (B, K, T) harmonic log-frequency spectrogram (already masked to
    the clip's active frames)."""
    spectrum = tonal_log_freq.sum(-1)
    chroma = spectrum @ fold
    low, high = _BASS_BINS
    bass = spectrum[:, low:high] @ fold[low:high]
    low, high = _TONAL_BINS
    sub_bins = spectrum[:, low:high].reshape(spectrum.shape[0], -1, 3)
    return KeyEvidence(chroma, bass, _grid_share(sub_bins), _clarity(spectrum))


def _clarity(spectrum: torch.Tensor) -> torch.Tensor:
    # The floor under each semitone follows the spectrum's local slope (its mean over
    # _SLOPE_SPAN sub-bins), lowered until it touches the semitone's three sub-bins: white,
    # pink or brown noise tilts the sub-bins of a semitone the same way in every semitone,
    # which a flat floor (the least of the three) would leave standing, in the same phase of
    # the grid everywhere, as if it were a tuned tone.
    low, high = _TONAL_BINS
    reach = _SLOPE_SPAN // 2
    around = spectrum[:, None, low - reach : high + reach]
    local = torch.nn.functional.avg_pool1d(around, _SLOPE_SPAN, stride=1)[:, 0]
    by_semitone = (spectrum.shape[0], -1, 3)
    relative = (spectrum[:, low:high] / local.clamp(min=1e-20)).reshape(by_semitone)
    above = (relative - relative.amin(-1, keepdim=True)) * local.reshape(by_semitone)
    return _grid_share(above)


def _grid_share(sub_bins: torch.Tensor) -> torch.Tensor:
    # (B, semitones, 3) energies -> (B,): 0 where the three phases of the 1/3-semitone grid
    # hold the same energy, 1 where one phase holds it all (tones on one tuning).
    phases = sub_bins.sum(1)
    share = phases.amax(-1) / phases.sum(-1).clamp(min=1e-20)
    return ((share - 1.0 / 3.0) * 1.5).clamp(0.0, 1.0)


def opening_evidence(
    tonal_log_freq: torch.Tensor, fold: torch.Tensor, frames: torch.Tensor
) -> torch.Tensor:
    """(B, 12) chroma energy of each clip's first OPENING_SHARE of its `frames` frames."""
    index = torch.arange(tonal_log_freq.shape[-1], device=tonal_log_freq.device)
    opening = index[None, :] < (frames[:, None] * OPENING_SHARE).ceil()
    spectrum = (tonal_log_freq * opening[:, None, :]).sum(-1)
    energy: torch.Tensor = spectrum @ fold
    return energy


def unit_shape(values: npt.ArrayLike) -> npt.NDArray[np.float64] | None:
    """The vector centred on its mean and scaled to unit length; None when it is flat."""
    v = np.asarray(values, dtype=np.float64)
    centred = v - v.mean(-1, keepdims=True)
    norm = float(np.linalg.norm(centred))
    if norm <= 1e-6 * float(np.abs(v).sum()) or norm == 0.0:
        return None
    shaped: npt.NDArray[np.float64] = centred / norm
    return shaped


def profile_table(profiles: tuple[Profile, Profile]) -> npt.NDArray[np.float64]:
    """(24, 12) unit-shape profiles: rows 0..11 major on C..B, 12..23 minor."""
    shaped = [unit_shape(profile) for profile in profiles]
    if any(s is None for s in shaped):
        raise ValueError("a key profile must not be flat")
    # Row `tonic` of a mode is its profile rolled right by `tonic` pitch classes.
    table: npt.NDArray[np.float64] = np.concatenate([s[_ROLL] for s in shaped if s is not None])
    return table


_ROLL = (np.arange(12)[None, :] - np.arange(12)[:, None]) % 12


def chroma_mix(
    chroma: npt.ArrayLike,
    bass: npt.ArrayLike,
    bass_weight: float,
    opening: npt.ArrayLike | None = None,
    opening_weight: float = 0.0,
) -> npt.NDArray[np.float64] | None:
    """The unit-shape pitch-class mix that is matched to the profiles; None for no energy."""
    c = np.asarray(chroma, dtype=np.float64)
    total = c.sum()
    if not total > 1e-9:
        return None
    mix = c / total
    for extra, weight in ((bass, bass_weight), (opening, opening_weight)):
        e = None if extra is None else np.asarray(extra, dtype=np.float64)
        if weight > 0.0 and e is not None and e.sum() > 1e-12:
            mix = mix + weight * e / e.sum()
    return unit_shape(mix)  # a flat mix names no key


def correlations(
    chroma: npt.ArrayLike,
    bass: npt.ArrayLike,
    model: KeyModel,
    opening: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64] | None:
    """(24,) correlation of the weighted chroma with each key profile; None for no energy."""
    mix = chroma_mix(chroma, bass, model.bass_weight, opening, model.opening_weight)
    if mix is None:
        return None
    result: npt.NDArray[np.float64] = _table(model.profiles) @ mix
    return result


_TABLES: dict[tuple[Profile, Profile], npt.NDArray[np.float64]] = {}


def _table(profiles: tuple[Profile, Profile]) -> npt.NDArray[np.float64]:
    # Cross-validation fits dozens of models; each table is built once.
    table = _TABLES.get(profiles)
    if table is None:
        if len(_TABLES) > 256:
            _TABLES.clear()
        table = _TABLES[profiles] = profile_table(profiles)
    return table


def margin_features(scores: npt.NDArray[np.float64]) -> tuple[int, float, float]:
    """The best key's index, its correlation and its margin over the runner-up."""
    order = np.argsort(scores)[::-1]
    best = float(scores[order[0]])
    return int(order[0]), best, best - float(scores[order[1]])


def calibrated(model: KeyModel, best: float, margin: float, clarity: float) -> float:
    """The calibrated probability that the key is exactly right."""
    c0, c1, c2, c3 = model.calibration
    z = c0 + c1 * best + c2 * margin + c3 * clarity
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def decide(
    chroma: npt.ArrayLike,
    bass: npt.ArrayLike,
    clarity: float,
    model: KeyModel = DEFAULT_MODEL,
    opening: npt.ArrayLike | None = None,
) -> tuple[str | None, str | None, float]:
    """(key, mode, confidence) for one clip; (None, None, 0.0) for unpitched sound (clarity
    under the model's floor). opening is the chroma energy of the clip's start
    (`opening_evidence`), if the model weighs it."""
    if not clarity >= model.min_clarity:
        return None, None, 0.0
    scores = correlations(chroma, bass, model, opening)
    if scores is None:
        return None, None, 0.0
    index, best, margin = margin_features(scores)
    if best <= 0.0:
        return None, None, 0.0
    confidence = calibrated(model, best, margin, clarity)
    return PITCH_CLASSES[index % 12], MODES[index // 12], confidence
