"""Hand-built features for clips a producer would recognise."""

from __future__ import annotations

from typing import Any

from analysis_engine.features import EMBEDDING_SIZE, AudioFeatures
from analysis_engine.features.model import DB_FLOOR


def features(**changes: Any) -> AudioFeatures:
    """A 90 BPM, 4-bar A-minor loop of keys and drums, with `changes` applied."""
    values: dict[str, Any] = {
        "duration_s": 4 * 240.0 / 90.0,
        "sample_rate": 44100,
        "channels": 2,
        "is_loop": True,
        "tempo_bpm": 90.0,
        "tempo_confidence": 0.8,
        "key": "A",
        "mode": "minor",
        "key_confidence": 0.72,
        "rms_dbfs": -17.0,
        "peak_dbfs": -1.0,
        "lufs_integrated": -14.0,
        "spectral_centroid_hz": 1200.0,
        "spectral_bandwidth_hz": 1800.0,
        "spectral_rolloff_hz": 4000.0,
        "spectral_flatness": 0.05,
        "zero_crossing_rate": 0.05,
        "onset_rate": 3.0,
        "harmonic_percussive_ratio": 0.75,
        "mfcc_mean": (1.0,) * 13,
        "mfcc_std": (2.0,) * 13,
        "chroma_mean": (0.5,) * 12,
        "chroma_std": (0.1,) * 12,
        "embedding": (0.125,) * EMBEDDING_SIZE,
    }
    values.update(changes)
    return AudioFeatures(**values)


def minor_loop() -> AudioFeatures:
    """A laid-back 90 BPM 4-bar loop in A minor, warm and tonal."""
    return features()


def hat_one_shot() -> AudioFeatures:
    """A short, bright, noisy closed hat: no tempo, no key, too short for integrated LUFS."""
    return features(
        duration_s=0.12,
        is_loop=False,
        tempo_bpm=None,
        tempo_confidence=0.0,
        key=None,
        mode=None,
        key_confidence=0.0,
        rms_dbfs=-16.0,
        peak_dbfs=-2.0,
        lufs_integrated=DB_FLOOR,
        spectral_centroid_hz=9000.0,
        spectral_rolloff_hz=15000.0,
        spectral_flatness=0.45,
        zero_crossing_rate=0.4,
        onset_rate=8.3,
        harmonic_percussive_ratio=0.08,
    )


def silence() -> AudioFeatures:
    """Two seconds of digital silence."""
    return features(
        duration_s=2.0,
        is_loop=False,
        tempo_bpm=None,
        tempo_confidence=0.0,
        key=None,
        mode=None,
        key_confidence=0.0,
        rms_dbfs=DB_FLOOR,
        peak_dbfs=DB_FLOOR,
        lufs_integrated=DB_FLOOR,
        spectral_centroid_hz=0.0,
        spectral_bandwidth_hz=0.0,
        spectral_rolloff_hz=0.0,
        spectral_flatness=0.0,
        zero_crossing_rate=0.0,
        onset_rate=0.0,
        harmonic_percussive_ratio=0.0,
    )
