"""What similarity looks at, measured from the audio on the host (numpy, no torch).

Timbre over time: MFCC means, spreads and delta spreads, spectral contrast per octave,
amplitude modulation per register, the envelope's attack and decay, and MFCC statistics of the
harmonic and the percussive part apart. Rhythm independent of the
tempo octave: the onset autocorrelation of the low and high registers at lags measured in beats
of the tempo folded into 80-160 BPM, so a loop read at half or double time describes the same.
It reads the extractor's own power spectrogram of the analysis signal (its first MAX_SECONDS):
`measure` in the batched pass, `describe` once the tempo, tonality and harmonic share are
decided. The analysis worker and the embedding backfill both go through the extractor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.fft import dct

from analysis_engine.features.median import running_median

RATE = 22050
MAX_SECONDS = 30.0
N_FFT = 2048
HOP = 512
N_MELS = 40
N_MFCC = 20
FRAME_RATE = RATE / HOP
# Octave bands of spectral contrast, from 200 Hz up.
_CONTRAST_EDGES = (0.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0, 11025.0)
# Modulation frequency bands (Hz) of each register's loudness envelope.
_MODULATION_BANDS = ((0.5, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0))
# Registers in mel bands: lows (kick, bass), low mids, high mids, highs (hats, air).
_REGISTERS = ((0, 6), (6, 16), (16, 28), (28, 40))
# The rhythm's registers: the lows, and the high mids and highs together.
_RHYTHM_REGISTERS = (_REGISTERS[0], (_REGISTERS[2][0], N_MELS))
# Lags of the onset autocorrelation, in beats of the folded tempo.
RHYTHM_LAGS = (0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1.0, 2.0, 4.0)
BLOCKS = {
    "mfcc_mean": N_MFCC,
    "mfcc_std": N_MFCC,
    "mfcc_delta": N_MFCC,
    "contrast": len(_CONTRAST_EDGES) - 1,
    "shape": 6,
    "modulation": len(_REGISTERS) * len(_MODULATION_BANDS),
    "envelope": 5,
    # 13 MFCC means and spreads of the harmonic part and of the percussive part: a band's
    # instruments apart from its drums, a kit's hits apart from any tone under them.
    "split": 52,
}
TIMBRE_SIZE = sum(BLOCKS.values())
_ENVELOPE_AT = sum(list(BLOCKS.values())[: list(BLOCKS).index("envelope")])
_TONALITY_SLOT, _HARMONIC_SLOT = _ENVELOPE_AT + 3, _ENVELOPE_AT + 4
RHYTHM_SIZE = 2 * len(RHYTHM_LAGS)
Vector = npt.NDArray[np.float64]
# Per-frame spectral shape the extractor measures of the magnitude (spectral.spectral_shape):
# centroid, bandwidth and 85 % rolloff in Hz, and flatness.
FRAME_SHAPE = ("centroid", "bandwidth", "rolloff", "flatness")
FrameShape = Mapping[str, npt.NDArray[Any]]


@dataclass(frozen=True, slots=True)
class Descriptor:
    """One clip as similarity sees it: a timbre vector, a rhythm vector (zeros without a
    tempo), and two figures that reasons quote (log2 centroid re 1 kHz, onsets a second)."""

    timbre: Vector
    rhythm: Vector
    brightness: float
    density: float


def fold_tempo(bpm: float) -> float:
    """The tempo moved by octaves into [80, 160), so half and double time read the same."""
    while bpm < 80.0:
        bpm *= 2.0
    while bpm >= 160.0:
        bpm /= 2.0
    return bpm


@dataclass(frozen=True, slots=True)
class Measurement:
    """What the descriptor reads of a clip's spectrogram, before the analysis decides its tempo:
    the timbre vector (its tonality and harmonic-share entries still empty), the onset
    envelopes of the low and the high register (for the rhythm), the analysed seconds and the
    two figures that reasons quote."""

    timbre: Vector
    onset_registers: Vector
    duration_s: float
    brightness: float
    density: float


def analysed_frames(samples: int) -> int:
    """How many frames of a centred STFT (HOP) of `samples` at RATE the descriptor reads."""
    return 1 + min(samples, int(MAX_SECONDS * RATE)) // HOP


def measure(power: npt.NDArray[np.float32], frames: FrameShape, samples: int) -> Measurement:
    """The measurement of a clip from the analysis's own power spectrogram at RATE (N_FFT bins,
    HOP, centred; `analysed_frames(samples)` frames of it) and the spectral shape of those frames
    (FRAME_SHAPE, from the magnitude), `samples` long at RATE."""
    duration = min(samples, int(MAX_SECONDS * RATE)) / RATE
    # A float32 product (the spectrogram is float32): no float64 copy of it, same to 1e-7.
    mel = (_mel_bank_f32() @ power).astype(np.float64)
    log_mel = 10.0 * np.log10(np.maximum(mel, 1e-10))
    frame_db = 10.0 * np.log10(np.maximum(power.sum(axis=0, dtype=np.float64), 1e-10))
    active = frame_db > frame_db.max() - 60.0
    if active.sum() < 2:
        active[:] = True
    mfcc = dct(log_mel, type=2, norm="ortho", axis=0)[:N_MFCC]
    delta = _delta(mfcc)
    act_mfcc = mfcc[:, active]
    freqs: Vector = np.fft.rfftfreq(N_FFT, 1.0 / RATE).astype(np.float64)
    active_power = np.ascontiguousarray(power[:, active])
    centroid, shape = _shape(frames, active)
    flux = np.maximum(np.diff(log_mel, axis=1, prepend=log_mel[:, :1]), 0.0)
    onset = flux.mean(axis=0)
    density = float((onset > onset.mean() + onset.std()).sum() / max(duration, 1e-3))
    timbre = np.concatenate(
        [
            act_mfcc.mean(axis=1) / 10.0,
            act_mfcc.std(axis=1) / 5.0,
            delta[:, active].std(axis=1),
            _contrast(active_power, freqs),
            shape,
            _modulation(mel),
            _envelope(frame_db, duration),
            _split_timbre(mel),
        ]
    )
    registers = np.stack([flux[low:high].mean(axis=0) for low, high in _RHYTHM_REGISTERS])
    return Measurement(
        np.nan_to_num(timbre, nan=0.0, posinf=0.0, neginf=0.0),
        registers,
        duration,
        math.log2(max(centroid, 1.0) / 1000.0),
        density,
    )


def describe(
    measured: Measurement, *, tempo_bpm: float | None, tonality: float, harmonic_ratio: float
) -> Descriptor:
    """The descriptor of a measured clip, given what the analysis decided of it."""
    timbre = measured.timbre.copy()
    timbre[_TONALITY_SLOT] = 2.0 * tonality - 1.0
    timbre[_HARMONIC_SLOT] = 2.0 * harmonic_ratio - 1.0
    rhythm = np.zeros(RHYTHM_SIZE)
    if tempo_bpm is not None and tempo_bpm > 0 and measured.duration_s >= 1.0:
        rhythm = _rhythm(measured.onset_registers, fold_tempo(tempo_bpm))
    return Descriptor(timbre, rhythm, measured.brightness, measured.density)


@lru_cache(maxsize=1)
def _mel_bank() -> Vector:
    def to_mel(hz: Vector) -> Vector:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    freqs = np.fft.rfftfreq(N_FFT, 1.0 / RATE)
    edges_mel = np.linspace(to_mel(np.array(30.0)), to_mel(np.array(RATE / 2)), N_MELS + 2)
    edges = 700.0 * (10.0 ** (edges_mel / 2595.0) - 1.0)
    bank = np.zeros((N_MELS, freqs.shape[0]))
    for band in range(N_MELS):
        low, centre, high = edges[band : band + 3]
        rising = (freqs - low) / (centre - low)
        falling = (high - freqs) / (high - centre)
        bank[band] = np.maximum(0.0, np.minimum(rising, falling)) * 2.0 / (high - low)
    return bank


@lru_cache(maxsize=1)
def _mel_bank_f32() -> npt.NDArray[np.float32]:
    return _mel_bank().astype(np.float32)


def _delta(values: Vector) -> Vector:
    padded = np.pad(values, ((0, 0), (2, 2)), mode="edge")
    result: Vector = (
        2.0 * (padded[:, 4:] - padded[:, :-4]) + (padded[:, 3:-1] - padded[:, 1:-3])
    ) / 10.0
    return result


def _shape(frames: FrameShape, active: npt.NDArray[np.bool_]) -> tuple[float, Vector]:
    centroid, spread, rolloff, flatness = (
        np.asarray(frames[name], dtype=np.float64)[active] for name in FRAME_SHAPE
    )
    mean_centroid = float(np.median(centroid))
    log_centroid = np.log2(np.maximum(centroid, 20.0) / 1000.0)
    shape = np.array(
        [
            math.log2(max(mean_centroid, 20.0) / 1000.0),
            float(log_centroid.std()),
            math.log2(max(float(np.median(spread)), 20.0) / 1000.0),
            math.log2(max(float(np.median(rolloff)), 20.0) / 2000.0),
            float(np.sqrt(flatness).mean()) * 4.0,
            float(np.sqrt(flatness).std()) * 4.0,
        ]
    )
    return mean_centroid, shape


def _contrast(power: npt.NDArray[np.float32], freqs: Vector) -> Vector:
    values = []
    for low, high in itertools.pairwise(_CONTRAST_EDGES):
        band = power[(freqs >= low) & (freqs < high)]
        if band.shape[0] < 2:
            values.append(0.0)
            continue
        ordered = np.sort(band, axis=0)
        share = max(1, round(0.2 * band.shape[0]))
        peak = ordered[-share:].mean(axis=0)
        valley = ordered[:share].mean(axis=0)
        values.append(float(np.mean(np.log10(peak + 1e-10) - np.log10(valley + 1e-10))) / 3.0)
    return np.array(values)


def _modulation(mel: Vector) -> Vector:
    frames = mel.shape[1]
    out = np.zeros(len(_REGISTERS) * len(_MODULATION_BANDS))
    if frames < 8:
        return out
    freqs = np.fft.rfftfreq(frames, 1.0 / FRAME_RATE)
    for r, (low, high) in enumerate(_REGISTERS):
        envelope = np.log10(mel[low:high].sum(axis=0) + 1e-10)
        envelope = envelope - envelope.mean()
        spectrum = np.abs(np.fft.rfft(envelope * np.hanning(frames))) ** 2
        total = spectrum[freqs >= 0.5].sum() + 1e-12
        for m, (f_low, f_high) in enumerate(_MODULATION_BANDS):
            share = spectrum[(freqs >= f_low) & (freqs < f_high)].sum() / total
            out[r * len(_MODULATION_BANDS) + m] = math.sqrt(share)
    return out


def _envelope(frame_db: Vector, duration: float) -> Vector:
    peak = int(np.argmax(frame_db))
    top = float(frame_db[peak])
    attack_s = max(peak, 1) / FRAME_RATE
    after = frame_db[peak:]
    below = np.nonzero(after < top - 20.0)[0]
    decay_s = (below[0] if below.size else after.shape[0]) / FRAME_RATE
    return np.array(
        [
            math.log2(attack_s / 0.01) / 4.0,
            math.log2(max(decay_s, 0.01) / 0.2) / 4.0,
            math.log2(max(duration, 0.05) / 2.0) / 4.0,
            0.0,  # the tonality and the harmonic share: `describe` fills them in
            0.0,
        ]
    )


def _split_timbre(mel: Vector) -> Vector:
    # Median filtering across time keeps what sustains, across bands what strikes (HPSS on the
    # mel spectrogram: 40 bands, cheap).
    harmonic = running_median(mel, 17, axis=1)
    percussive = running_median(mel, 9, axis=0)
    share = harmonic**2 / (harmonic**2 + percussive**2 + 1e-20)
    parts = []
    for mask in (share, 1.0 - share):
        log_part = 10.0 * np.log10(np.maximum(mel * mask, 1e-10))
        coefficients = dct(log_part, type=2, norm="ortho", axis=0)[:13]
        parts += [coefficients.mean(axis=1) / 10.0, coefficients.std(axis=1) / 5.0]
    return np.concatenate(parts)


def _rhythm(registers: Vector, bpm: float) -> Vector:
    beat = 60.0 / bpm * FRAME_RATE
    out = np.zeros(RHYTHM_SIZE)
    for r, envelope in enumerate(registers):
        envelope = envelope - envelope.mean()
        energy = float((envelope**2).sum())
        if energy < 1e-12:
            continue
        for i, lag_beats in enumerate(RHYTHM_LAGS):
            lag = lag_beats * beat
            whole = int(lag)
            if whole + 1 >= envelope.shape[0]:
                continue
            # Circular: loops repeat, and the cut point should not change the pattern.
            here = np.dot(envelope, np.roll(envelope, -whole))
            there = np.dot(envelope, np.roll(envelope, -whole - 1))
            frac = lag - whole
            out[r * len(RHYTHM_LAGS) + i] = ((1 - frac) * here + frac * there) / energy
    return out
