"""Choosing a band mix's tempo octave: half, the periodicity estimate, or double.

The periodicity estimate finds the pulse but not its level: a 75 BPM ballad with busy eighths
reads as 150 and a 160 BPM rocker as 80 about as often as not. Here each of the three
candidates is described by a few cues, and a linear score fitted by logistic regression picks
one (the approach of Percival & Tzanetakis' octave classifier). The cues:

- how far the candidate is from a moderate tempo (a prior);
- the onset envelope's energy at the candidate's beat rate, at twice it and at half it;
- how well the envelope repeats after one candidate beat;
- how well the bright percussion (hats, shakers) repeats after half a candidate beat;
- whether the harmony changes once per candidate bar rather than every half bar.

The weights come from `benchmarks/fit_octave.py`, fitted on clips rendered from MMA grooves
that the benchmark never uses; rerun it after changing any cue. Drum loops keep the backbeat
rule in `rhythm.settle_octave`, which is exact for them.
"""

from __future__ import annotations

import torch

from analysis_engine.features.rhythm import Periodicity, interpolate, normalised_acf, smooth

FACTORS = (0.5, 1.0, 2.0)
FEATURE_NAMES = (
    "prior",
    "energy_at_beat",
    "energy_at_double",
    "energy_at_half",
    "repeat_after_beat",
    "bright_repeat_after_half_beat",
    "harmony_per_bar",
)
_PRIOR_CENTRE_BPM = 100.0
# Bright percussion: mel bands from 96 of 128 (~4.7 kHz) up.
BRIGHT_BANDS = (96, 128)

# Fitted by benchmarks/fit_octave.py (standardised features: (x - mean) / scale).
_MEAN = (0.868309, 0.593588, 0.758129, 0.329247, 0.294164, 0.0901192, 0.0498108)
_SCALE = (0.900352, 0.35188, 0.235915, 0.324509, 0.239213, 0.391941, 0.314551)
_COEF = (-5.03138, -0.258885, 1.32029, 0.715579, 0.532914, -0.954072, 1.22506)


def candidate_features(
    bpm: torch.Tensor,
    periodicity: Periodicity,
    n_frames: torch.Tensor,
    frame_rate: float,
    bright: torch.Tensor,
    harmony_change: torch.Tensor,
    harmony_frames: torch.Tensor,
    harmony_rate: float,
) -> torch.Tensor:
    """(B, 3, F) cues for half, the estimate and double; F = len(FEATURE_NAMES)."""
    factors = torch.tensor(FACTORS, device=bpm.device)
    candidates = bpm[:, None] * factors[None, :]
    spectrum = periodicity.spectrum
    spectrum = spectrum / spectrum.amax(-1, keepdim=True).clamp(min=1e-12)
    bins_per_bpm = periodicity.bins_per_bpm

    beat = 60.0 * frame_rate / candidates
    envelope_acf = periodicity.acf
    bright_acf = normalised_acf(smooth(bright), n_frames)
    harmony_acf = normalised_acf(harmony_change, harmony_frames)
    bar = 240.0 * harmony_rate / candidates

    def repeat(acf: torch.Tensor, lags: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
        # Lags past half the clip have too little overlap to say anything: read as 0.
        trusted = lags < frames[:, None] / 2.0
        return torch.where(trusted, interpolate(acf, lags), torch.zeros_like(lags))

    columns = [
        torch.log2(candidates / _PRIOR_CENTRE_BPM).square(),
        interpolate(spectrum, candidates * bins_per_bpm),
        interpolate(spectrum, 2.0 * candidates * bins_per_bpm),
        interpolate(spectrum, 0.5 * candidates * bins_per_bpm),
        repeat(envelope_acf, beat, n_frames),
        repeat(bright_acf, beat / 2.0, n_frames),
        repeat(harmony_acf, bar, harmony_frames) - repeat(harmony_acf, bar / 2.0, harmony_frames),
    ]
    return torch.stack(columns, dim=-1)


def choose(bpm: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
    """The candidate tempo with the highest fitted score, per clip."""
    device = features.device
    mean = torch.tensor(_MEAN, device=device)
    scale = torch.tensor(_SCALE, device=device)
    coef = torch.tensor(_COEF, device=device)
    score = ((features - mean) / scale) @ coef
    best = score.argmax(-1)
    factors = torch.tensor(FACTORS, device=device)
    return bpm * factors[best]
