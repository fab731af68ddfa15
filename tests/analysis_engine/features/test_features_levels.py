"""Levels, loudness and spectral shape on signals whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from analysis_engine.features.extractor import extract_batch
from analysis_engine.features.model import DB_FLOOR
from tests.analysis_engine.features.synthetic_audio import SR, sine, white_noise


def test_a_minus_20_dbfs_sine_reads_minus_20_peak_and_minus_23_rms() -> None:
    (features,) = extract_batch([(sine(1000.0, -20.0, 3.0), SR)])
    assert features.peak_dbfs == pytest.approx(-20.0, abs=0.05)
    assert features.rms_dbfs == pytest.approx(-23.01, abs=0.05)


def test_a_full_scale_997_hz_sine_on_one_channel_reads_minus_3_01_lufs() -> None:
    # The BS.1770-4 calibration point.
    (features,) = extract_batch([(sine(997.0, 0.0, 5.0, sr=48000), 48000)])
    assert features.lufs_integrated == pytest.approx(-3.01, abs=0.05)


def test_a_minus_20_dbfs_mono_sine_reads_minus_23_lufs() -> None:
    (features,) = extract_batch([(sine(1000.0, -20.0, 5.0), SR)])
    assert features.lufs_integrated == pytest.approx(-23.0, abs=0.5)


def test_a_minus_23_dbfs_stereo_sine_reads_minus_23_lufs() -> None:
    # Two channels add their power: +3 dB over the same sine in mono.
    (features,) = extract_batch([(sine(997.0, -23.0, 5.0, channels=2), SR)])
    assert features.lufs_integrated == pytest.approx(-23.0, abs=0.1)
    assert features.channels == 2


def test_the_relative_gate_ignores_a_long_quiet_stretch() -> None:
    loud = sine(997.0, -20.0, 4.0)
    quiet = sine(997.0, -50.0, 8.0)
    (features,) = extract_batch([(np.concatenate([loud, quiet]), SR)])
    # Ungated, the 8 s at -50 would pull the figure down by about 4.8 LU.
    assert features.lufs_integrated == pytest.approx(-23.0, abs=0.2)


def test_loudness_does_not_depend_on_the_sample_rate() -> None:
    results = extract_batch([(sine(997.0, -20.0, 3.0, sr=rate), rate) for rate in (22050, 96000)])
    assert results[0].lufs_integrated == pytest.approx(results[1].lufs_integrated, abs=0.05)


def test_digital_silence_reads_the_floor_not_minus_infinity() -> None:
    (features,) = extract_batch([(np.zeros((44100, 2), dtype=np.float32), SR)])
    assert features.rms_dbfs == DB_FLOOR
    assert features.peak_dbfs == DB_FLOOR
    assert features.lufs_integrated == DB_FLOOR
    assert features.tempo_bpm is None
    assert features.key is None
    assert features.key_confidence == 0.0
    assert np.isclose(np.linalg.norm(features.embedding), 1.0)


def test_white_noise_is_flat_and_a_sine_is_not() -> None:
    noise, tone = extract_batch([(white_noise(3.0), SR), (sine(440.0, -6.0, 3.0), SR)])
    assert noise.spectral_flatness > 0.4
    assert tone.spectral_flatness < 0.01


def test_a_sine_centroid_sits_at_its_frequency_and_crosses_zero_twice_a_cycle() -> None:
    (features,) = extract_batch([(sine(1000.0, -6.0, 3.0), SR)])
    assert features.spectral_centroid_hz == pytest.approx(1000.0, rel=0.05)
    assert features.spectral_rolloff_hz == pytest.approx(1000.0, rel=0.05)
    assert features.zero_crossing_rate == pytest.approx(2000.0 / 22050.0, rel=0.02)


def test_noise_is_brighter_and_less_harmonic_than_a_low_sine() -> None:
    noise, tone = extract_batch([(white_noise(3.0), SR), (sine(220.0, -6.0, 3.0), SR)])
    assert noise.spectral_centroid_hz > 4000.0 > tone.spectral_centroid_hz
    assert noise.spectral_bandwidth_hz > tone.spectral_bandwidth_hz
    assert tone.harmonic_percussive_ratio > 0.9
    assert noise.harmonic_percussive_ratio < tone.harmonic_percussive_ratio
