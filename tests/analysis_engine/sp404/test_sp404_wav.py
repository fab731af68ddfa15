"""Canonical WAV and AIFF files, and the strict header checks."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile

from analysis_engine.sp404 import (
    HeaderCheckError,
    check_aiff_header,
    check_wav_header,
    write_aiff,
    write_wav,
)


def pcm(frames: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(frames * 10 + channels)
    return rng.integers(-32768, 32767, size=(frames, channels), dtype=np.int16)


def wav(audio: np.ndarray) -> bytes:
    out = io.BytesIO()
    write_wav(out, audio)
    return out.getvalue()


@pytest.mark.parametrize("channels", [1, 2])
def test_exported_wav_has_a_44_byte_header_and_parses_with_soundfile(channels: int) -> None:
    audio = pcm(1000, channels)
    data = wav(audio)
    assert len(data) == 44 + 1000 * channels * 2
    assert data[36:40] == b"data"
    info = check_wav_header(data)
    assert (info.channels, info.sample_rate, info.frames) == (channels, 48_000, 1000)
    decoded, rate = soundfile.read(io.BytesIO(data), dtype="int16", always_2d=True)
    assert rate == 48_000
    assert np.array_equal(decoded, audio)


def test_riff_sizes_are_exact() -> None:
    data = wav(pcm(333, 2))
    (riff_size,) = struct.unpack_from("<I", data, 4)
    (data_size,) = struct.unpack_from("<I", data, 40)
    assert riff_size == len(data) - 8
    assert data_size == len(data) - 44


def test_an_empty_clip_still_makes_a_valid_wav() -> None:
    data = wav(np.zeros((0, 1), dtype=np.int16))
    assert len(data) == 44
    assert check_wav_header(data).frames == 0


def with_list_chunk(data: bytes) -> bytes:
    chunk = b"LIST" + struct.pack("<I", 4) + b"INFO"
    body = data[12:36] + chunk + data[36:]
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WAVE" + body


def patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


GOOD = wav(pcm(100, 2))


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (with_list_chunk(GOOD), "extra chunks"),
        (patched(GOOD, 4, "<I", len(GOOD) - 7), "RIFF size"),
        (patched(GOOD, 24, "<I", 44_100), "sample rate 44100"),
        (patched(GOOD, 34, "<H", 24), "24 bits"),
        (patched(GOOD, 20, "<H", 3), "format code 3"),
        (patched(GOOD, 22, "<H", 6), "6 channels"),
        (patched(GOOD, 40, "<I", 10), "data size"),
        (GOOD[:40], "shorter than"),
        (b"RIFX" + GOOD[4:], "RIFF"),
    ],
)
def test_the_strict_check_refuses_anything_but_the_canonical_layout(
    bad: bytes, problem: str
) -> None:
    with pytest.raises(HeaderCheckError, match=problem):
        check_wav_header(bad)


def test_the_check_accepts_a_header_alone_when_given_the_file_size() -> None:
    assert check_wav_header(GOOD[:44], file_size=len(GOOD)).frames == 100


def test_soundfile_float_wavs_fail_the_strict_check() -> None:
    out = io.BytesIO()
    soundfile.write(out, np.zeros(100), 48_000, subtype="FLOAT", format="WAV")
    with pytest.raises(HeaderCheckError):
        check_wav_header(out.getvalue())


@pytest.mark.parametrize("channels", [1, 2])
def test_exported_aiff_is_16_bit_48k_and_decodes_to_the_same_samples(channels: int) -> None:
    audio = pcm(777, channels)
    out = io.BytesIO()
    size = write_aiff(out, audio)
    data = out.getvalue()
    assert size == len(data) == 54 + 777 * channels * 2
    info = check_aiff_header(data)
    assert (info.channels, info.sample_rate, info.frames) == (channels, 48_000, 777)
    described = soundfile.info(io.BytesIO(data))
    assert (described.format, described.subtype, described.samplerate) == ("AIFF", "PCM_16", 48_000)
    decoded, _ = soundfile.read(io.BytesIO(data), dtype="int16", always_2d=True)
    assert np.array_equal(decoded, audio)


def test_writing_refuses_float_or_multichannel_pcm() -> None:
    with pytest.raises(ValueError, match="int16"):
        write_wav(io.BytesIO(), np.zeros((10, 2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="int16"):
        write_wav(io.BytesIO(), np.zeros((10, 3), dtype=np.int16))
