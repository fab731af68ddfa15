"""Choosing a band mix's tempo octave: half, the estimate, double, a third or two thirds.

The periodicity estimate finds the pulse but not its level: a 75 BPM ballad with busy eighths
reads as 150 and a 160 BPM rocker as 80 about as often as not. Here each candidate is
described by cues, and a linear score picks one: a conditional logit (the softmax of the
scores over a clip's candidates), the approach of Percival & Tzanetakis' octave classifier
fitted on the choice itself rather than on each candidate alone. The cues:

- how far the candidate is from a moderate tempo (a prior), and whether it is the estimate;
- the onset envelope's energy at the candidate's beat rate, at twice it and at half it, and
  the kick and bass band's energy at the beat rate;
- how well the envelope repeats after a half, a third, one and two candidate beats (a beat
  divides into two or three tatums and a bar into beats), and the kick and bass band after
  a half and one beat;
- how well the bright percussion (hats, shakers) repeats after half a candidate beat;
- whether a snare repeats after two candidate beats but not after one (a backbeat), more than
  at half or double the candidate;
- whether the harmony changes once per candidate bar (of 4 or of 3 beats) rather than every
  half bar, by the autocorrelation and by the chord-change envelope's energy at the bar rate;
- how many onsets fall on each candidate beat;
- how much more alike the chords are two candidate beats apart than four (a chord a bar of
  four beats: a slow ballad read at double keeps one chord four of its readings on);
- how much more alike the chords are four candidate beats apart than one (a gate only).

The chord cues read the chroma, which only a pitched clip's chords give meaning: a clip under
the key's floor is read by a model fitted without them (`UNPITCHED_MODEL`).

Gates come before the score (`candidate_allowed`): a beat that splits in three is never
doubled, beats that group in threes are never halved but may be taken three at a time, two
thirds of the estimate is taken, by rule, only where the snare and the chords both put a
four-beat bar there (`bars_at_two_thirds`), and three times it or one and a half times it
only where the estimate or its half is a waltz's bar: the chords come back after four of
those bars, not after one, and the kick and bass pulse three times a bar (`waltz_bar_at`);
a third that would be such a bar is never taken.
No candidate outside MIN_CANDIDATE_BPM..MAX_CANDIDATE_BPM is chosen. The weights come from
`benchmarks/fit_octave.py`, fitted on the rendered corpus; the benchmark judges them by
cross-validation that leaves out whole groove families. Rerun it after changing any cue. The
choice runs on the host (numpy), so CPU and CUDA clips share it exactly. Drum loops keep the
backbeat rule in `rhythm.settle_octave`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

from analysis_engine.features.rhythm import (
    MIN_TRIPLE_GROUPING,
    MIN_TRIPLET_REPEAT,
    Periodicity,
    envelope_periodicity,
    interpolate,
    normalised_acf,
    smooth,
)
from analysis_engine.features.spectral import smooth_frames

# Candidates: the periodicity estimate times these; the third only where the estimate's beats
# group in threes (candidate_allowed). Free moves by 3:2 and 3:1 were tried (to fix a waltz
# read at its bar rate or a 12/8 at its eighths): cross-validated, they broke more 4/4 clips
# than they fixed triple ones (band Acc1 84 % against 88 %); nor does the envelope's energy
# at 3 or 1.5 times the estimate single those waltzes out (swung and 12/8 beats have as much).
#
# Two thirds is the one 3:2 move kept, and only as a rule where the bar itself says so
# (bars_at_two_thirds): a 12/8 read at two of its triplets a beat, whose snare then falls on
# every beat of the estimate and whose chords change every six of its beats.
_THIRD = 1.0 / 3.0
_TWO_THIRDS = 2.0 / 3.0
# Three times and one and a half times the estimate are the other kept moves, again by rule
# (waltz_bar_at): a fast waltz read at its bar, or at half of it (the bar split in two), where
# the chords come back after four of those bars and the kick and bass pulse on its beats.
_THRICE = 3.0
_BAR_IN_TWO = 1.5
FACTORS = (_THIRD, 0.5, _TWO_THIRDS, 1.0, _BAR_IN_TWO, 2.0, _THRICE)
# (bar, beat): where the candidate at `bar` times the estimate is a waltz's bar, the one at
# `beat` times it (three of its beats a bar) wins.
_WALTZ_MOVES = ((_THIRD, 1.0), (0.5, _BAR_IN_TWO), (1.0, _THRICE))
# The candidates the waltz rule alone may choose (benchmarks/fit_octave.py leaves them out of
# the fit: the score is never asked to rank them).
WALTZ_BEATS = tuple(beat for _, beat in _WALTZ_MOVES if beat != 1.0)
# How clear the bar at two thirds of the estimate must be (bars_at_two_thirds): the snare's
# backbeat cue there and against it at the estimate, and the chord-change envelope's pulse
# once a bar (a share of its spectrum's peak) and its repeat after a bar more than after half.
# On corpus v2, v3 and v4 and a 12/8 family none of them plays (pflib slowrock), no clip but
# the three 12/8 loops read at 3:2 passes all four; the backbeat alone also passes 12/8 loops
# read right (their snare reads as a backbeat at two thirds of the true tempo too).
_BAR_BACKBEAT = 0.5
_BAR_HARMONY_PULSE = 0.9
_BAR_HARMONY_REPEAT = 0.3
# How clear a waltz's bar must be (waltz_bar_at): the chords' return after four bars over
# that after one, and the kick and bass band's pulse at three times the bar (a share of its
# spectrum's peak). On every band loop of corpus v2-v6, the tempo checks and 84 scratch
# renders of 3/4, 12/8 and 6/8 grooves, the 24 waltzes read at their bar read 0.10 or more and
# 0.98 or more; every other loop read at 80 BPM or less 0.07 or less, or under 0.45. Judged on
# later renders in bench_tempo_checks.py.
_WALTZ_CHORD_RETURN = 0.05
_WALTZ_LOW_PULSE = 0.8
# Candidates outside this range are never chosen: no loop is slower (quarter-tempo answers)
# and few are faster than this.
MIN_CANDIDATE_BPM = 40.0
MAX_CANDIDATE_BPM = 240.0
FEATURE_NAMES = (
    "prior",
    "energy_at_beat",
    "energy_at_double",
    "energy_at_half",
    "repeat_after_beat",
    "bright_repeat_after_half_beat",
    "harmony_per_bar",
    "harmony_per_3_beat_bar",
    "onsets_per_beat",
    "repeat_after_half_beat",
    "repeat_after_third_beat",
    "repeat_after_two_beats",
    "is_estimate",
    "low_energy_at_beat",
    "low_repeat_after_beat",
    "low_repeat_after_half_beat",
    "backbeat",
    "harmony_pulse_per_bar",
    "harmony_pulse_per_3_beat_bar",
    "energy_at_beat_and_half",
    "chords_return_after_four_beats",
    "chords_change_after_four_beats",
)
# Cues read by `candidate_allowed` alone: the fit leaves them a weight of 0 (as a weight,
# the groups-of-three pulse changed nothing cross-validated).
GATE_CUES = ("energy_at_beat_and_half", "chords_return_after_four_beats")
_PRIOR_CENTRE_BPM = 100.0
_HALF_BEAT = FEATURE_NAMES.index("repeat_after_half_beat")
_BACKBEAT = FEATURE_NAMES.index("backbeat")
_HARMONY_PER_BAR = FEATURE_NAMES.index("harmony_per_bar")
_HARMONY_PULSE_PER_BAR = FEATURE_NAMES.index("harmony_pulse_per_bar")
_THIRD_BEAT = FEATURE_NAMES.index("repeat_after_third_beat")
_ENERGY_AT_BEAT = FEATURE_NAMES.index("energy_at_beat")
_ENERGY_AT_BEAT_AND_HALF = FEATURE_NAMES.index("energy_at_beat_and_half")
_CHORDS_RETURN = FEATURE_NAMES.index("chords_return_after_four_beats")
# Cues read from the chroma alone, which only a pitched clip's chords give meaning.
CHORD_CUE_NAMES = ("chords_return_after_four_beats", "chords_change_after_four_beats")
CHORD_CUES = tuple(FEATURE_NAMES.index(name) for name in CHORD_CUE_NAMES)
_LOW_ENERGY_AT_BEAT = FEATURE_NAMES.index("low_energy_at_beat")
# Bright percussion: mel bands from 96 of 128 (~4.7 kHz) up.
BRIGHT_BANDS = (96, 128)
# Kick and bass: the first 9 of 128 Slaney mel bands (up to ~230 Hz).
LOW_BANDS = (0, 9)


@dataclass(frozen=True, slots=True)
class OctaveModel:
    """A linear score over standardised cues ((x - mean) / scale) @ coef."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]


# Fitted by benchmarks/fit_octave.py on the rendered corpus (all groove families; seeded renders,
# so the same fit on every machine). DEFAULT_MODEL decides pitched clips (those given a key);
# UNPITCHED_MODEL, fitted on the same clips without the chord cues, the rest: a drum loop whose
# rides read as harmonic, a techno loop under the key's floor. Their chroma says nothing of
# chords, and the pitched fit's other weights, shifted beside the chord cues, read some jazz
# drum tracks at half (corpus v4's QuickStep and Basie).
DEFAULT_MODEL = OctaveModel(
    mean=(0.470954, 0.549094, 0.798198, 0.244607, 0.547905, 0.103368, 0.15064, -0.00730974,
          0.637408, 0.23568, -0.100303, 0.692292, 0.442857, 0.598967, 0.36932, 0.142255,
          -0.175898, 0.621785, 0.385504, 0.0776451, -0.178457, 0.0803299),
    scale=(0.446105, 0.375468, 0.252314, 0.281396, 0.27919, 0.362632, 0.366248, 0.263245,
          0.970369, 0.367752, 0.147113, 0.159242, 0.496724, 0.358629, 0.254699, 0.255233,
          0.514153, 0.321843, 0.252386, 0.0703283, 0.105572, 0.102817),
    coef=(-1.01188, -0.168768, 0.409475, -0.409806, 0.0245645, -0.253558, 1.34728, -0.487316,
          0.15336, -0.020847, -0.0126882, 0.811819, 0.711865, 0.109923, -0.215716, -0.419754,
          -0.229831, 0.956042, 0.117203, 0, 0, 0.854148),
)  # fmt: skip
# The same clips and candidates, so the same standardisation; only the weights differ.
UNPITCHED_MODEL = dataclasses.replace(
    DEFAULT_MODEL,
    coef=(-1.1883, -0.228835, 0.517524, -0.401447, -0.0157573, -0.416778, 1.26557, -0.517352,
          0.133477, -0.0537783, -0.0233722, 0.929488, 0.563764, 0.147623, -0.374941, -0.451403,
          -0.186715, 1.14439, 0.224607, 0, 0, 0),
)  # fmt: skip


def candidate_features(
    bpm: torch.Tensor,
    periodicity: Periodicity,
    n_frames: torch.Tensor,
    frame_rate: float,
    bright: torch.Tensor,
    harmony_change: torch.Tensor,
    harmony_frames: torch.Tensor,
    harmony_rate: float,
    onsets_per_s: torch.Tensor,
    low: Periodicity,
    snare: torch.Tensor,
    chords_alike: torch.Tensor,
) -> torch.Tensor:
    """(B, len(FACTORS), F) cues for each candidate tempo; F = len(FEATURE_NAMES).

    chords_alike is `chord_similarity_by_lag` of the clip's chroma, on harmony's frames."""
    factors = torch.tensor(FACTORS, device=bpm.device)
    candidates = bpm[:, None] * factors[None, :]
    spectrum = periodicity.spectrum
    spectrum = spectrum / spectrum.amax(-1, keepdim=True).clamp(min=1e-12)
    bins_per_bpm = periodicity.bins_per_bpm

    beat = 60.0 * frame_rate / candidates
    envelope_acf = periodicity.acf
    bright_acf = normalised_acf(smooth(bright), n_frames)
    harmony_acf = normalised_acf(harmony_change, harmony_frames)
    harmony_beat = 60.0 * harmony_rate / candidates
    harmony = envelope_periodicity(harmony_change, harmony_frames, harmony_rate)
    harmony_spectrum = harmony.spectrum / harmony.spectrum.amax(-1, keepdim=True).clamp(min=1e-12)

    def harmony_pulse(beats: float) -> torch.Tensor:
        # The chord-change envelope's energy at one change a bar, which needs no overlap
        # of two bars inside the clip as the autocorrelation does.
        return interpolate(harmony_spectrum, candidates / beats * harmony.bins_per_bpm)

    def repeat(
        acf: torch.Tensor, lags: torch.Tensor, frames: torch.Tensor, slack: float = 0.0
    ) -> torch.Tensor:
        # Lags past half the clip have too little overlap to say anything: read as 0.
        trusted = lags < frames[:, None] / 2.0 + slack
        return torch.where(trusted, interpolate(acf, lags), torch.zeros_like(lags))

    def per_bar(beats: float) -> torch.Tensor:
        # A loop of exactly two bars compares its two bars: its bar is half the clip, give or
        # take the rounding of a frame (a slow ballad's only evidence of its bar).
        bar = beats * harmony_beat
        return repeat(harmony_acf, bar, harmony_frames, slack=1.0) - repeat(
            harmony_acf, bar / 2.0, harmony_frames
        )

    snare_acf = normalised_acf(smooth(snare), n_frames)

    def backbeat(lags: torch.Tensor) -> torch.Tensor:
        return repeat(snare_acf, 2.0 * lags, n_frames) - repeat(snare_acf, lags, n_frames)

    def chords_alike_after(beats: float) -> torch.Tensor:
        # How alike the chords are `beats` candidate beats apart, where a clip holds six of
        # them, else 0 (no evidence), so that contrasts of two lags read 0 there too.
        trusted = 6.0 * harmony_beat <= harmony_frames[:, None]
        alike = interpolate(chords_alike, beats * harmony_beat)
        return torch.where(trusted, alike, torch.zeros_like(alike))

    low_spectrum = low.spectrum / low.spectrum.amax(-1, keepdim=True).clamp(min=1e-12)
    columns = [
        torch.log2(candidates / _PRIOR_CENTRE_BPM).square(),
        interpolate(spectrum, candidates * bins_per_bpm),
        interpolate(spectrum, 2.0 * candidates * bins_per_bpm),
        interpolate(spectrum, 0.5 * candidates * bins_per_bpm),
        repeat(envelope_acf, beat, n_frames),
        repeat(bright_acf, beat / 2.0, n_frames),
        per_bar(4.0),
        per_bar(3.0),
        torch.log2((onsets_per_s[:, None] * 60.0 / candidates).clamp(min=1e-3)),
        # A beat divides into two or three steps of the fastest regular pulse (the tatum):
        # a reading whose beat is 1.5 tatums long is at no metrical level at all.
        repeat(envelope_acf, beat / 2.0, n_frames),
        repeat(envelope_acf, beat / 3.0, n_frames),
        repeat(envelope_acf, 2.0 * beat, n_frames),
        # The periodicity's own pick, which is right more often than not.
        (factors == 1.0).to(candidates.dtype).expand_as(candidates),
        # Kick and bass mark the beat (or the half bar) and rarely its subdivisions.
        interpolate(low_spectrum, candidates * bins_per_bpm),
        repeat(low.acf, beat, n_frames),
        repeat(low.acf, beat / 2.0, n_frames),
        # A snare or clap on beats 2 and 4 repeats after two beats, not after one; at half
        # or double the tempo that contrast fades, so it peaks at the beat.
        backbeat(beat) - torch.maximum(backbeat(2.0 * beat), backbeat(beat / 2.0)),
        harmony_pulse(4.0),
        harmony_pulse(3.0),
        # Groups of three beats (a 6/8 bar's halves, a 12/8 beat, a waltz bar) pulse at two
        # thirds of the rate of a reading that counts two of its beats as one.
        interpolate(spectrum, candidates / 1.5 * bins_per_bpm),
        # A waltz read at its bar: another chord one bar on, the same four bars on (a gate).
        chords_alike_after(4.0) - chords_alike_after(1.0),
        # A chord a bar of four beats: the same chord two beats on, another four beats on.
        chords_alike_after(2.0) - chords_alike_after(4.0),
    ]
    return torch.stack(columns, dim=-1)


def chord_similarity_by_lag(chroma: torch.Tensor) -> torch.Tensor:
    """(B, T) the mean cosine similarity of a (B, 12, T) chroma's frames to those `lag` frames
    later, for each lag (frames with no pitched energy take no part).

    Smoothed over three frames (~0.28 s), so that an arpeggio reads as its chord.
    """
    frames = chroma.shape[-1]
    smoothed = smooth_frames(chroma, 3)
    norm = smoothed.norm(dim=1)
    present = norm > 1e-9 * norm.amax(-1, keepdim=True).clamp(min=1e-30)
    unit = torch.where(present[:, None, :], smoothed / norm.clamp(min=1e-30)[:, None, :], 0.0)
    n_fft = 1 << max(1, 2 * frames - 1).bit_length()
    spectrum = torch.fft.rfft(unit, n=n_fft)
    alike = torch.fft.irfft(spectrum.abs().square().sum(1), n=n_fft)[:, :frames]
    pairs = torch.fft.irfft(
        torch.fft.rfft(present.to(chroma.dtype), n=n_fft).abs().square(), n=n_fft
    )
    pairs = pairs[:, :frames].round()
    similarity = torch.where(pairs >= 1.0, alike / pairs.clamp(min=1.0), torch.zeros_like(alike))
    # Two lags at least, for `interpolate`, however short the clip.
    return torch.nn.functional.pad(similarity, (0, max(0, 2 - frames)))


def choose(
    bpm: float, features: npt.ArrayLike, model: OctaveModel = DEFAULT_MODEL, pitched: bool = True
) -> tuple[float, float]:
    """The candidate tempo with the highest score, and its softmax share of the candidates.

    Candidates outside MIN_CANDIDATE_BPM..MAX_CANDIDATE_BPM never win; where none is inside,
    the estimate stands. An unpitched clip (`pitched` False: no key, a drum loop whose cymbals
    read as harmonic) has no chords, so its chroma cues say nothing: they read 0 for every
    candidate, which leaves the choice to the other cues.
    """
    cues = np.array(features, dtype=np.float64)
    if not pitched:
        cues[:, list(CHORD_CUES)] = 0.0
    score = ((cues - np.asarray(model.mean)) / np.asarray(model.scale)) @ np.asarray(model.coef)
    allowed = candidate_allowed(bpm, cues)
    if not allowed.any():
        return bpm, 1.0
    score = np.where(allowed, score, -np.inf)
    best = int(np.argmax(score))
    two_thirds = FACTORS.index(_TWO_THIRDS)
    # The bar decides these, not the fitted score, which never saw a 3:2 move (corpus v2 has
    # none) and is not fitted over the waltz's: the candidate wins, as sure as the best of the
    # others. A waltz's bar names its beat, whichever candidate the score prefers.
    waltz_beats = [FACTORS.index(beat) for bar, beat in _WALTZ_MOVES if waltz_bar_at(cues, bar)]
    for by_rule in (*waltz_beats, two_thirds):
        if allowed[by_rule]:
            score[by_rule] = score.max()
            best = by_rule
            break
    weights = np.exp(score - score.max())
    return bpm * FACTORS[best], float(weights[best] / weights.sum())


def candidate_allowed(
    bpm: float, features: npt.ArrayLike, *, veto_halving: bool = True
) -> npt.NDArray[np.bool_]:
    """Which of bpm * FACTORS may be chosen: those in the range a loop's tempo may take, not
    the double of an estimate whose beat clearly splits in three, and, by whether the
    estimate's beats clearly group in threes, either its third or its half.

    A beat of three tatums (a 12/8 or a shuffle read at its beat) has no double: that would
    put a beat every one and a half tatums, at no metrical level at all. Beats grouped in
    threes (the eighths of a 6/8, the triplets of a 12/8, a waltz's beats) pulse at a third
    of their rate more than at half of it: two of them make no metrical level, so they have
    no half, while three may make the beat (a 12/8 read at its triplets). Elsewhere a third
    is never a candidate.

    veto_halving=False keeps the half of beats grouped in three: the set the octave weights
    are fitted over (benchmarks/fit_octave.py), so that the fitted score still learns to
    reject those halves, and rejects them where the grouping is too faint for the veto.
    """
    factors = np.asarray(FACTORS)
    candidates = bpm * factors
    allowed = (candidates >= MIN_CANDIDATE_BPM) & (candidates <= MAX_CANDIDATE_BPM)
    cues = np.asarray(features, dtype=np.float64)
    estimate = cues[FACTORS.index(1.0)]
    third, half = estimate[_THIRD_BEAT], estimate[_HALF_BEAT]
    in_three = bool(third >= MIN_TRIPLET_REPEAT and third > half)
    # The half candidate's beat is two of the estimate's, and one and a half of its is three.
    pairs = cues[FACTORS.index(0.5)]
    grouped_in_three = bool(
        pairs[_ENERGY_AT_BEAT_AND_HALF] - pairs[_ENERGY_AT_BEAT] >= MIN_TRIPLE_GROUPING
    )
    barred: npt.NDArray[np.bool_] = (factors == 2.0) & in_three
    if grouped_in_three:
        barred = barred | ((factors == 0.5) & veto_halving)
    # A third that would be a waltz's bar is no 12/8 beat: the estimate is the waltz's beat.
    if not grouped_in_three or waltz_bar_at(cues, _THIRD):
        barred = barred | (factors == _THIRD)
    if not bars_at_two_thirds(cues):
        barred = barred | (factors == _TWO_THIRDS)
    for bar, beat in _WALTZ_MOVES:
        if beat in WALTZ_BEATS and not waltz_bar_at(cues, bar):
            barred = barred | (factors == beat)
    return allowed & ~barred


def bars_at_two_thirds(features: npt.ArrayLike) -> bool:
    """Whether the bar sits at two thirds of the estimate: there the snare marks beats two and
    four and the chords change once a four-beat bar (not every half bar), while at the
    estimate the snare falls on every beat.

    That is a 12/8 (or any triplet feel) read at two triplets a beat: the estimate's beat is
    two thirds of the true one, and six of them make a bar.
    """
    cues = np.asarray(features, dtype=np.float64)
    bar, estimate = cues[FACTORS.index(_TWO_THIRDS)], cues[FACTORS.index(1.0)]
    return bool(
        bar[_BACKBEAT] >= _BAR_BACKBEAT
        and estimate[_BACKBEAT] <= -_BAR_BACKBEAT
        and bar[_HARMONY_PULSE_PER_BAR] >= _BAR_HARMONY_PULSE
        and bar[_HARMONY_PER_BAR] >= _BAR_HARMONY_REPEAT
    )


def waltz_bar_at(features: npt.ArrayLike, factor: float) -> bool:
    """Whether the candidate at `factor` times the estimate is a waltz's bar: there the chords
    come back after four of its beats (a four-bar progression) more than after one (the next
    bar's chord), and the kick and bass pulse at three times it (oom-pah-pah, a beat each).

    A fast waltz often reads its bar as the beat (55-80 BPM), or half of it (a bar split in
    two, 95-140 BPM), and a third of a waltz read right is its bar. Nothing else shows the
    chords' four-bar return at those levels: read at its beat, a loop changes chord once a
    bar of three or four of them, so four beats on it plays another chord, not the same one.
    """
    cues = np.asarray(features, dtype=np.float64)
    three_beats = min(FACTORS, key=lambda f: abs(f - 3.0 * factor))
    bar, beat = cues[FACTORS.index(factor)], cues[FACTORS.index(three_beats)]
    return bool(
        bar[_CHORDS_RETURN] >= _WALTZ_CHORD_RETURN and beat[_LOW_ENERGY_AT_BEAT] >= _WALTZ_LOW_PULSE
    )
