"""Key, mode and a calibrated confidence from chroma evidence; no key for unpitched sound.

The torch side (`key_evidence`) reduces a batch's harmonic log-frequency spectrogram and its
chroma to four things per clip: the pitch-class energy of everything; how much of that
energy lies on frames read as each chord (`chord_shares`: 12 roots of a major, minor or
seventh chord); a tonality between 0 (noise, hits: energy spread evenly across the
1/3-semitone sub-bins) and 1 (tones on a tuned grid: energy on one sub-bin of every three,
whatever the tuning); and the clarity: the same tonality of what stands above each
semitone's floor (a floor that follows the spectrum's slope, lowered to the semitone's
weakest sub-bin). Broadband sound that the harmonic mask lets through (hats, rides, hiss, a
crushed mix) lays that floor under all three sub-bins and so dilutes the tonality of the
tones above it, but not their clarity: a techno loop whose hats fill the treble reads a
tonality of 0.11, like the busiest drum loop, and a clarity of 0.35 or more, against 0.26 at
most for any drum loop or drum hit of the corpora, and under 0.16 for white, pink and brown
noise. The tonality stays a timbre figure of the similarity descriptor.

The torch side also reads each frame's chord (`chord_frames`); the host counts, of the
chord changes a loop makes (its last chord back to its first included: a loop repeats), those
whose root falls a fifth onto the next chord (`cadences`: V to I, V7 to I, E7 to Am). That
resolution marks a tonic where the chords alone leave it open: I-vi-IV-V holds the notes and
chords of its relative minor's III-i-VI-VII, and only G resolving to C says C major.

The host side (`decide`) turns them into a key with plain numpy: no key when the clarity is
under the fitted floor; otherwise each of the 24 keys scores what the clip shows seen from
its tonic (the pitch classes of the mix, the chords' shares by root above the tonic and
quality, and the cadences onto its tonic chord), with fitted weights (`KeyModel`), and the
best wins. The weights are a conditional
logit (the softmax of the scores is the probability of each key) learned from rendered band
loops over 35 progressions, so they carry what a profile of notes alone cannot: that E7
(with the leading tone G#) makes a loop A minor where C major never holds it, that a loop
dwells on its tonic chord, that a fifth's energy is also the third harmonic of the tonic.
The confidence is the probability of being exactly right: a logistic calibration of the best
key's log-odds, fitted on keys of progressions the weights never heard.
`benchmarks/fit_octave.py` fits the weights, the clarity floor and the calibration;
`bench_features.py` judges them by cross-validation leaving out whole groove families and
their chord progressions, and on corpora of families no fit has heard.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import torch

from analysis_engine.features.model import MODES, PITCH_CLASSES
from analysis_engine.features.spectral import smooth_frames

# Published tonic-first (major, minor) key profiles: priors of the fit (benchmarks/fit_octave.py
# KEY_PRIORS) and simple models for tests.
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
# 1/3-semitone bins of spectral.log_frequency_bank (C1 = MIDI 24, three per semitone, the
# centre of semitone s at index 3 s + 1). Tonality reads G3-C#8, where a sub-bin is wider
# than an STFT bin.
_TONAL_BINS = ((55 - 24) * 3, (100 - 24) * 3)
# Sub-bins over which the clarity's floor follows the spectrum's slope (a semitone and two
# thirds: wide enough to see past a tone's own sub-bin, narrow enough to bend with the tilt).
_SLOPE_SPAN = 5
# The chords a frame is read as: (name, semitones above the root). A seventh chord is told
# apart because its minor seventh is what makes V7 the dominant of a minor key (E7 in A
# minor), where the relative major (C) has no G#.
CHORD_QUALITIES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("major", (0, 4, 7)),
    ("minor", (0, 3, 7)),
    ("seventh", (0, 4, 7, 10)),
)
# A chord template credits each of its tones with the tone's first six partials, as the
# chroma holds them: partial h sounds h times the tone's frequency (pitch classes 0, 0, 7, 0,
# 4, 7 above it) and weighs PARTIAL_DECAY ** (h - 1), after Gomez's harmonic pitch class
# profiles. With bare triads, the partials of a loud bass root outweighed the one tone a
# seventh adds, and a dominant seventh read as its plain triad (the loud-bass test in
# tests/analysis_engine/features/test_features_key.py). The decay was chosen by the key's
# cross-validation over corpus v2 and v3 (README, FEATURE_VERSION 15): 0.6, 0.8 and 0.9 read
# v2 91.5 / 94.0 / 94.7 and v3 83.9 / 84.6 / 81.8, bare triads 93.0 and 84.5.
PARTIAL_DECAY = 0.8
_PARTIALS: tuple[tuple[int, float], ...] = tuple(
    (offset, PARTIAL_DECAY**h) for h, offset in enumerate((0, 0, 7, 0, 4, 7))
)
# Chroma frames (~0.46 s) a frame's chord is read over: an arpeggio reads as its chord.
CHORD_SMOOTHING = 5
# Frames (~0.37 s) a chord must hold to count as one the loop moves to (`cadences`): a shorter
# reading is a passing tone or the blur between two chords. Chosen before any corpus was read
# with it; 2, 6 and 8 frames give the same cross-validated key on corpus v2 and v3 within 0.6
# points (README, FEATURE_VERSION 19).
CADENCE_MIN_FRAMES = 4

Profile = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class KeyModel:
    """What `decide` needs: fitted by benchmarks/fit_octave.py (see the module doc).

    A key's score is linear in what the clip shows seen from that key's tonic: the weights
    of the mix's pitch classes counted from the tonic (`profiles`, major then minor) and of
    the time spent on each chord, by its root counted from the tonic and its quality
    (`chord_weights`, laid out [mode][root interval][quality of CHORD_QUALITIES]), of the
    cadences onto its tonic chord (`cadence_weights`, by mode), plus `minor_bias` for a minor
    key. The softmax of the 24 scores is the fitted probability of
    each key; `calibration` maps the best key's log-odds to the probability that it is
    exactly right on harmony the fit never heard.
    """

    profiles: tuple[Profile, Profile]
    chord_weights: tuple[float, ...]
    minor_bias: float
    # Below this clarity (`key_evidence`) a clip is unpitched and gets no key.
    min_clarity: float
    # Logistic calibration: intercept, then the weight of the best key's log-odds.
    calibration: tuple[float, float]
    # The weight of the cadences onto the tonic chord (`cadences`): onto a major or seventh
    # chord for a major key, onto a minor chord for a minor key.
    cadence_weights: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if len(self.chord_weights) != 2 * 12 * len(CHORD_QUALITIES):
            raise ValueError("chord_weights holds a weight per mode, root interval and quality")


# Fitted by benchmarks/fit_octave.py on the band loops of corpus v2 and of the harmony stress
# set v3 (35 progressions, bass lines alone; both seeded, so the fit is the same on every
# machine); the floor on corpus v2's clips alone, the calibration on log-odds of keys fitted
# without the clip's progression.
DEFAULT_MODEL = KeyModel(
    profiles=(
        (
            5.2195, -4.12993, 1.23982, -1.6257, 3.02293, 0.355805,
            -4.25406, 3.68556, -3.66387, 2.66052, -4.36898, 1.8584,
        ),
        (
            5.28361, -6.44405, 1.73167, 2.81289, -3.85258, 1.19127,
            -2.44724, 3.35845, 0.925958, -1.36031, -1.66034, 0.46067,
        ),
    ),
    chord_weights=(
        4.17337, -1.57473, -1.30314, -0.0411618, -0.0964729, -0.0156011,
        -0.52945, 1.0575, -0.399082, -0.0101783, -0.102732, -0.0167429,
        -0.38666, -0.478993, -0.879907, -1.09243, -0.722579, 2.43703,
        -0.00393714, -0.133739, -0.0128881, 1.35956, -1.27007, 1.69005,
        -0.169822, -0.464517, -0.00127042, 0.349145, 0.507311, -0.221481,
        -2.36355, 0.114027, -0.0433296, -0.0845754, -0.620958, -0.365163,
        0.0875219, 3.09667, -0.95867, -0.643976, 0.0853555, -0.00936953,
        -0.675863, -0.365822, -0.595237, -2.52406, 0.466113, -0.363273,
        0.0637556, 0.335283, 0.0878506, -1.82117, 1.14775, -0.787675,
        -0.0422465, -0.326644, -0.0101221, 1.47523, -1.71623, 2.34621,
        0.582656, 0.721904, 0.0180404, -0.0498632, -0.114779, 0.0984265,
        2.37158, 0.496025, -0.705936, -0.0238736, -0.0396805, 0.0112711,
    ),
    minor_bias=1.71716,
    min_clarity=0.310726,
    calibration=(0.236382, 1.07788),
    cadence_weights=(4.33815, 0.948125),
)  # fmt: skip


class KeyEvidence(NamedTuple):
    """What the torch side measured of a batch for the key, one row per clip."""

    chroma: torch.Tensor  # (B, 12) pitch-class energy
    chords: torch.Tensor  # (B, 12 * len(CHORD_QUALITIES)) share of the energy on each chord
    chord_frames: torch.Tensor  # (B, T) each frame's chord (a chords column), -1 where silent
    tonality: torch.Tensor  # (B,) share of the treble's energy on one sub-bin in three
    clarity: torch.Tensor  # (B,) the same, of what stands above each semitone's floor


def key_evidence(tonal_log_freq: torch.Tensor, chroma: torch.Tensor) -> KeyEvidence:
    """The key evidence of a (B, K, T) harmonic log-frequency spectrogram (already masked to
    the clip's active frames) and of its (B, 12, T) chroma."""
    spectrum = tonal_log_freq.sum(-1)
    low, high = _TONAL_BINS
    sub_bins = spectrum[:, low:high].reshape(spectrum.shape[0], -1, 3)
    best, weight = _chord_reading(chroma)
    return KeyEvidence(
        chroma.sum(-1),
        _shares(best, weight),
        torch.where(weight > 0, best, torch.full_like(best, -1)),
        _grid_share(sub_bins),
        _clarity(spectrum),
    )


def chord_shares(chroma: torch.Tensor) -> torch.Tensor:
    """(B, 12 * len(CHORD_QUALITIES)) how much of a (B, 12, T) chroma's energy lies on frames
    read as each chord (column quality * 12 + root), frames weighed by their energy.

    Each frame, smoothed over CHORD_SMOOTHING frames, is read as the chord whose tones,
    partials and all (PARTIAL_DECAY), correlate best with its pitch classes. Which chords a
    loop dwells on says more of its key than their summed notes: the seventh of E7 is what
    tells A minor from C major, and an added sixth or ninth (C6/9 holds the notes of Am7) no
    longer pulls the key to a fifth or the relative.
    """
    return _shares(*_chord_reading(chroma))


def _chord_reading(chroma: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # (B, T) each frame's best chord (a chord_shares column) and its energy, 0 where silent.
    smoothed = smooth_frames(chroma, CHORD_SMOOTHING)
    energy = smoothed.sum(1)
    present = energy > 1e-9 * energy.amax(-1, keepdim=True).clamp(min=1e-30)
    weight = torch.where(present, energy, torch.zeros_like(energy))
    centred = smoothed - smoothed.mean(1, keepdim=True)
    shape = centred / centred.norm(dim=1, keepdim=True).clamp(min=1e-12)
    fit = torch.einsum("qc,bct->bqt", _chord_templates(chroma.device, chroma.dtype), shape)
    return fit.argmax(1), weight


def _shares(best: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    columns = 12 * len(CHORD_QUALITIES)
    shares = torch.zeros(best.shape[0], columns, device=best.device, dtype=weight.dtype)
    shares.scatter_add_(1, best, weight)
    total: torch.Tensor = shares / weight.sum(-1, keepdim=True).clamp(min=1e-30)
    return total


def cadences(chord_frames: Sequence[int]) -> npt.NDArray[np.float64]:
    """(12 * len(CHORD_QUALITIES),) the share of a clip's chord changes that land on each chord
    (a chord_shares column) from a chord whose root lies a fifth above it: V to I.

    The chords are the frames' readings held CADENCE_MIN_FRAMES or more (-1, silence, is no
    chord); the change from the last of them back to the first counts too, since a loop
    repeats. Zeros where the clip holds fewer than two chords."""
    held: list[int] = []
    for chord, run in itertools.groupby(chord_frames):
        if chord >= 0 and len(list(run)) >= CADENCE_MIN_FRAMES and (not held or held[-1] != chord):
            held.append(int(chord))
    landed = np.zeros(12 * len(CHORD_QUALITIES))
    changes = list(itertools.pairwise(held))
    if len(held) > 1 and held[-1] != held[0]:
        changes.append((held[-1], held[0]))
    for before, after in changes:
        if (before - after) % 12 == 7:
            landed[after] += 1.0
    shares: npt.NDArray[np.float64] = landed / max(1, len(changes))
    return shares


@functools.lru_cache(maxsize=8)
def _chord_templates(device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    # (12 * qualities, 12) unit-shape chord templates, row quality * 12 + root; built once
    # per device, like spectral.chroma_fold, not once per batch.
    rows = []
    for _, tones in CHORD_QUALITIES:
        for root in range(12):
            row = torch.zeros(12, dtype=torch.float64)
            for tone in tones:
                for offset, weight in _PARTIALS:
                    row[(root + tone + offset) % 12] += weight
            row -= row.mean()
            rows.append(row / row.norm())
    return torch.stack(rows).to(device=device, dtype=dtype)


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


def chroma_mix(chroma: npt.ArrayLike) -> npt.NDArray[np.float64] | None:
    """The unit-shape pitch-class mix the profiles weigh; None for no energy or a flat mix."""
    c = np.asarray(chroma, dtype=np.float64)
    if not c.sum() > 1e-9:
        return None
    return unit_shape(c / c.sum())


# views[t, j]: the pitch class j semitones above tonic t.
_VIEWS = (np.arange(12)[:, None] + np.arange(12)[None, :]) % 12


def tonic_views(mix: npt.NDArray[np.float64], chords: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """(12, 12 + 12 * qualities) what a clip shows seen from each tonic (C..B): the mix's pitch
    classes counted from the tonic, then each quality's chord shares by root above it."""
    qualities = len(CHORD_QUALITIES)
    shares = np.asarray(chords, dtype=np.float64).reshape(qualities, 12)
    by_root = shares[:, _VIEWS].transpose(1, 2, 0).reshape(12, 12 * qualities)
    views: npt.NDArray[np.float64] = np.concatenate([mix[_VIEWS], by_root], axis=1)
    return views


def candidate_features(
    mix: npt.NDArray[np.float64], chords: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """(24, 2, 12 + 12 * qualities) `tonic_views` of each key (rows 0..11 major on C..B,
    12..23 minor) in the layout of KeyModel's weights: the key's mode's block holds them,
    the other block zeros (what the fit learns from; `key_scores` reads the views alone)."""
    seen = tonic_views(mix, chords)
    features = np.zeros((24, 2, seen.shape[1]))
    features[:12, 0] = seen
    features[12:, 1] = seen
    return features


def model_weights(model: KeyModel) -> npt.NDArray[np.float64]:
    """(2, 12 + 12 * qualities) the model's weights in candidate_features' layout."""
    chords = np.asarray(model.chord_weights, dtype=np.float64).reshape(2, -1)
    return np.concatenate([np.asarray(model.profiles, dtype=np.float64), chords], axis=1)


def key_scores(
    chroma: npt.ArrayLike,
    chords: npt.ArrayLike,
    model: KeyModel,
    cadence_shares: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64] | None:
    """(24,) each key's score (its softmax is the fitted probability); None for no energy.
    cadence_shares are `cadences` of the clip (none: no cadence weighs)."""
    mix = chroma_mix(chroma)
    if mix is None:
        return None
    # (12 tonics, 2 modes) -> major keys C..B, then minor.
    scores: npt.NDArray[np.float64] = (tonic_views(mix, chords) @ _weights(model).T).T.ravel()
    scores[12:] += model.minor_bias
    if cadence_shares is not None:
        scores += cadence_cues(cadence_shares) @ np.asarray(model.cadence_weights)
    return scores


def cadence_cues(cadence_shares: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """(24, 2) each key's cadences onto its tonic chord, in KeyModel.cadence_weights' layout:
    onto a major or seventh chord for a major key (first column), a minor one for a minor key."""
    landed = np.asarray(cadence_shares, dtype=np.float64).reshape(len(CHORD_QUALITIES), 12)
    quality = [name for name, _ in CHORD_QUALITIES]
    cues = np.zeros((24, 2))
    cues[:12, 0] = landed[quality.index("major")] + landed[quality.index("seventh")]
    cues[12:, 1] = landed[quality.index("minor")]
    return cues


# Cross-validation fits hundreds of models; each one's weights are laid out once.
_weights = functools.lru_cache(maxsize=256)(model_weights)


def top_log_odds(scores: npt.NDArray[np.float64]) -> tuple[int, float]:
    """The best key's index and the log-odds of its softmax share against all the others."""
    best = int(np.argmax(scores))
    rest = np.delete(scores, best)
    peak = float(rest.max())
    log_rest = peak + math.log(float(np.exp(rest - peak).sum()))
    return best, float(scores[best]) - log_rest


def calibrated(model: KeyModel, log_odds: float) -> float:
    """The calibrated probability that the key whose softmax log-odds these are is right."""
    intercept, slope = model.calibration
    z = intercept + slope * log_odds
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def decide(
    chroma: npt.ArrayLike,
    chords: npt.ArrayLike,
    clarity: float,
    model: KeyModel = DEFAULT_MODEL,
    cadence_shares: npt.ArrayLike | None = None,
) -> tuple[str | None, str | None, float]:
    """(key, mode, confidence) for one clip; (None, None, 0.0) for unpitched sound (clarity
    under the model's floor). chords are `chord_shares`' row of the clip, cadence_shares its
    `cadences`."""
    if not clarity >= model.min_clarity:
        return None, None, 0.0
    scores = key_scores(chroma, chords, model, cadence_shares)
    if scores is None:
        return None, None, 0.0
    index, log_odds = top_log_odds(scores)
    return PITCH_CLASSES[index % 12], MODES[index // 12], calibrated(model, log_odds)
