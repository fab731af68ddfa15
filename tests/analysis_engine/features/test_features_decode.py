"""Decoding uploads with soundfile, and refusing what cannot be decoded."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile

from analysis_engine.features import UndecodableAudio, decode_audio


def _wav_bytes(samples: np.ndarray, rate: int, fmt: str = "WAV", subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def test_stereo_wav_bytes_decode_to_float32_frames_by_channels() -> None:
    samples = np.zeros((4410, 2), dtype=np.float32)
    samples[:, 0] = 0.5
    decoded = decode_audio(_wav_bytes(samples, 44100))
    assert decoded.samples.dtype == np.float32
    assert decoded.samples.shape == (4410, 2)
    assert decoded.sample_rate == 44100
    assert decoded.samples[:, 0] == pytest.approx(0.5, abs=1e-4)
    assert decoded.samples[:, 1] == pytest.approx(0.0, abs=1e-4)


def test_mono_flac_from_a_path_decodes_to_one_channel(tmp_path: Path) -> None:
    path = tmp_path / "hit.flac"
    soundfile.write(path, np.linspace(-0.5, 0.5, 1000), 48000, format="FLAC")
    decoded = decode_audio(path)
    assert decoded.samples.shape == (1000, 1)
    assert decoded.sample_rate == 48000


def test_empty_bytes_are_undecodable() -> None:
    with pytest.raises(UndecodableAudio, match="empty"):
        decode_audio(b"")


def test_garbage_bytes_are_undecodable() -> None:
    with pytest.raises(UndecodableAudio, match="could not be decoded"):
        decode_audio(b"this is not audio at all" * 20)


def test_a_truncated_header_is_undecodable() -> None:
    data = _wav_bytes(np.zeros(1000, dtype=np.float32), 44100)
    with pytest.raises(UndecodableAudio):
        decode_audio(data[:20])


def test_a_wav_with_no_frames_is_undecodable() -> None:
    data = _wav_bytes(np.zeros((0, 1), dtype=np.float32), 44100)
    with pytest.raises(UndecodableAudio, match="no sample frames"):
        decode_audio(data)


def test_a_float_wav_holding_nan_is_undecodable() -> None:
    samples = np.zeros(100, dtype=np.float32)
    samples[10] = np.nan
    with pytest.raises(UndecodableAudio, match="NaN"):
        decode_audio(_wav_bytes(samples, 44100, subtype="FLOAT"))


def test_undecodable_audio_is_a_value_error_with_a_default_message() -> None:
    error = UndecodableAudio()
    assert isinstance(error, ValueError)
    assert "could not be decoded" in str(error)
