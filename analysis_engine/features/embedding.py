"""The fixed-size similarity embedding built from feature statistics (numpy, no torch)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis_engine.features.model import EMBEDDING_SIZE, N_MFCC


@dataclass(frozen=True, slots=True)
class EmbeddingInputs:
    """The statistics an embedding is made from."""

    mfcc_mean: Sequence[float]
    mfcc_std: Sequence[float]
    chroma_mean: Sequence[float]
    chroma_std: Sequence[float]
    spectral_centroid_hz: float
    spectral_bandwidth_hz: float
    spectral_rolloff_hz: float
    spectral_flatness: float
    zero_crossing_rate: float
    onset_rate: float
    harmonic_percussive_ratio: float
    is_loop: bool
    tempo_bpm: float | None
    tempo_confidence: float
    duration_s: float
    rms_dbfs: float
    peak_dbfs: float


def _log2_ratio(value: float, reference: float) -> float:
    return math.log2(max(value, 1e-6) / reference)


def build_embedding(inputs: EmbeddingInputs) -> tuple[float, ...]:
    """An L2-normalised vector whose cosine similarity ranks similar-sounding clips close."""
    # Every entry is centred on a typical value and scaled to roughly unit spread by fixed
    # constants, so cosine similarity compares shapes rather than one shared offset.
    # MFCC 0 is mostly level, which should not make two sounds "similar"; it gets a small share.
    mfcc_mean = np.asarray(inputs.mfcc_mean, dtype=np.float64)
    mfcc_std = np.asarray(inputs.mfcc_std, dtype=np.float64)
    chroma_mean = np.asarray(inputs.chroma_mean, dtype=np.float64)
    chroma_std = np.asarray(inputs.chroma_std, dtype=np.float64)
    tempo = inputs.tempo_bpm
    parts = [
        mfcc_mean[1:N_MFCC] / 40.0,
        mfcc_std / 20.0,
        (chroma_mean - chroma_mean.mean()) * 1.5,
        chroma_std * 1.5,
        [
            _log2_ratio(inputs.spectral_centroid_hz, 1500.0) / 2.0,
            _log2_ratio(inputs.spectral_bandwidth_hz, 1500.0) / 2.0,
            _log2_ratio(inputs.spectral_rolloff_hz, 3000.0) / 2.0,
            2.0 * math.sqrt(max(inputs.spectral_flatness, 0.0)) - 0.5,
            _log2_ratio(inputs.zero_crossing_rate, 0.05) / 3.0,
            _log2_ratio(inputs.onset_rate + 0.25, 2.0) / 2.0,
            2.0 * inputs.harmonic_percussive_ratio - 1.0,
            0.5 if inputs.is_loop else -0.5,
            _log2_ratio(tempo, 110.0) if tempo is not None else 0.0,
            inputs.tempo_confidence - 0.5,
            _log2_ratio(inputs.duration_s, 2.0) / 4.0,
            (inputs.peak_dbfs - inputs.rms_dbfs) / 20.0 - 0.5,
            (mfcc_mean[0] + 300.0) / 600.0,
            (inputs.rms_dbfs + 20.0) / 60.0,
        ],
    ]
    vector = np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])
    vector = np.pad(vector, (0, EMBEDDING_SIZE - vector.shape[0]))
    norm = float(np.linalg.norm(vector))
    if not math.isfinite(norm) or norm < 1e-12:
        # Silence has no shape; give it one fixed direction so it is still unit length.
        vector = np.zeros(EMBEDDING_SIZE)
        vector[0] = 1.0
        norm = 1.0
    return tuple(float(v) for v in vector / norm)
