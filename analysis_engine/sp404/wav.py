"""Canonical 16-bit WAV and AIFF writers, and strict checks of their headers.

The SP-404MK2 is picky about WAV files other tools accept: we write exactly
the 44-byte RIFF/WAVE/fmt/data layout, nothing else, and check it.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

from analysis_engine.sp404.errors import HeaderCheckError, UnsupportedAudioError

WAV_HEADER_SIZE = 44
AIFF_HEADER_SIZE = 54
SAMPLE_RATE = 48_000
BITS = 16
_PCM_FORMAT = 1


@dataclass(frozen=True)
class AudioFileInfo:
    """What a checked header says about the audio that follows it."""

    channels: int
    sample_rate: int
    frames: int


def _shape(pcm: npt.NDArray[np.int16]) -> tuple[int, int]:
    if pcm.ndim != 2 or pcm.dtype != np.int16 or pcm.shape[1] not in (1, 2):
        raise UnsupportedAudioError("PCM must be int16 shaped frames x 1 or 2 channels")
    return int(pcm.shape[0]), int(pcm.shape[1])


def wav_header(frames: int, channels: int, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Return the 44-byte header of a 16-bit PCM WAV file."""
    block_align = channels * BITS // 8
    data_size = frames * block_align
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        WAV_HEADER_SIZE - 8 + data_size,
        b"WAVE",
        b"fmt ",
        16,
        _PCM_FORMAT,
        channels,
        sample_rate,
        sample_rate * block_align,
        block_align,
        BITS,
        b"data",
        data_size,
    )


def write_wav(stream: IO[bytes], pcm: npt.NDArray[np.int16], sample_rate: int = SAMPLE_RATE) -> int:
    """Write `pcm` as a canonical WAV file; return the bytes written."""
    frames, channels = _shape(pcm)
    header = wav_header(frames, channels, sample_rate)
    body = np.ascontiguousarray(pcm, dtype="<i2").tobytes()
    check_wav_header(header, file_size=len(header) + len(body), sample_rate=sample_rate)
    stream.write(header)
    stream.write(body)
    return len(header) + len(body)


def check_wav_header(
    data: bytes, *, file_size: int | None = None, sample_rate: int = SAMPLE_RATE
) -> AudioFileInfo:
    """Raise HeaderCheckError unless `data` starts a canonical 16-bit PCM WAV file.

    `data` may be the whole file or only its first 44 bytes with `file_size` given.
    """
    size = len(data) if file_size is None else file_size
    if len(data) < WAV_HEADER_SIZE or size < WAV_HEADER_SIZE:
        raise HeaderCheckError(f"WAV file is {size} bytes, shorter than its 44-byte header")
    fields = struct.unpack_from("<4sI4s4sIHHIIHH4sI", data)
    riff, riff_size, wave, fmt, fmt_size, fmt_code, channels, rate = fields[:8]
    byte_rate, block_align, bits, data_id, data_size = fields[8:]
    checks = [
        (riff == b"RIFF", f"starts with {riff!r}, not RIFF"),
        (riff_size == size - 8, f"RIFF size {riff_size} != file size - 8 ({size - 8})"),
        (wave == b"WAVE", f"form type {wave!r}, not WAVE"),
        (fmt == b"fmt " and fmt_size == 16, "first chunk is not a 16-byte 'fmt ' chunk"),
        (fmt_code == _PCM_FORMAT, f"format code {fmt_code}, not 1 (PCM)"),
        (channels in (1, 2), f"{channels} channels; the sampler takes mono or stereo"),
        (rate == sample_rate, f"sample rate {rate}, not {sample_rate}"),
        (bits == BITS, f"{bits} bits per sample, not {BITS}"),
        (block_align == channels * 2, f"block align {block_align} != {channels * 2}"),
        (byte_rate == rate * block_align, f"byte rate {byte_rate} != rate x block align"),
        (data_id == b"data", f"second chunk is {data_id!r}, not data (extra chunks?)"),
        (data_size == size - WAV_HEADER_SIZE, f"data size {data_size} != file size - 44"),
        (data_size % max(block_align, 1) == 0, "data size is not whole frames"),
    ]
    for ok, problem in checks:
        if not ok:
            raise HeaderCheckError(f"bad WAV header: {problem}")
    return AudioFileInfo(channels=channels, sample_rate=rate, frames=data_size // block_align)


def _extended(value: int) -> bytes:
    """Encode a positive integer as the 80-bit IEEE extended float AIFF uses."""
    exponent = value.bit_length() - 1
    mantissa = value << (63 - exponent)
    return struct.pack(">HQ", 16383 + exponent, mantissa)


def _from_extended(raw: bytes) -> float:
    exponent, mantissa = struct.unpack(">HQ", raw)
    return math.ldexp(mantissa, (exponent & 0x7FFF) - 16383 - 63)


def aiff_header(frames: int, channels: int, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Return the 54-byte FORM/COMM/SSND header of a 16-bit AIFF file."""
    data_size = frames * channels * 2
    comm = struct.pack(">hIh", channels, frames, BITS) + _extended(sample_rate)
    return (
        struct.pack(">4sI4s", b"FORM", AIFF_HEADER_SIZE - 8 + data_size, b"AIFF")
        + struct.pack(">4sI", b"COMM", len(comm))
        + comm
        + struct.pack(">4sIII", b"SSND", 8 + data_size, 0, 0)
    )


def write_aiff(
    stream: IO[bytes], pcm: npt.NDArray[np.int16], sample_rate: int = SAMPLE_RATE
) -> int:
    """Write `pcm` as a 16-bit AIFF file; return the bytes written."""
    frames, channels = _shape(pcm)
    header = aiff_header(frames, channels, sample_rate)
    body = np.ascontiguousarray(pcm, dtype=">i2").tobytes()
    check_aiff_header(header, file_size=len(header) + len(body), sample_rate=sample_rate)
    stream.write(header)
    stream.write(body)
    return len(header) + len(body)


def check_aiff_header(
    data: bytes, *, file_size: int | None = None, sample_rate: int = SAMPLE_RATE
) -> AudioFileInfo:
    """Raise HeaderCheckError unless `data` starts a 16-bit AIFF as `write_aiff` makes it."""
    size = len(data) if file_size is None else file_size
    if len(data) < AIFF_HEADER_SIZE or size < AIFF_HEADER_SIZE:
        raise HeaderCheckError(f"AIFF file is {size} bytes, shorter than its 54-byte header")
    form, form_size, aiff, comm, comm_size = struct.unpack_from(">4sI4s4sI", data)
    channels, frames, bits = struct.unpack_from(">hIh", data, 20)
    rate = _from_extended(data[28:38])
    ssnd, ssnd_size, ssnd_offset, _block = struct.unpack_from(">4sIII", data, 38)
    checks = [
        (form == b"FORM" and aiff == b"AIFF", "not a FORM/AIFF file"),
        (form_size == size - 8, f"FORM size {form_size} != file size - 8"),
        (comm == b"COMM" and comm_size == 18, "first chunk is not an 18-byte COMM chunk"),
        (channels in (1, 2), f"{channels} channels; the sampler takes mono or stereo"),
        (bits == BITS, f"{bits} bits per sample, not {BITS}"),
        (rate == sample_rate, f"sample rate {rate:g}, not {sample_rate}"),
        (ssnd == b"SSND" and ssnd_offset == 0, "second chunk is not SSND with offset 0"),
        (ssnd_size == size - 46, f"SSND size {ssnd_size} != file size - 46"),
        (frames * channels * 2 == size - AIFF_HEADER_SIZE, "frame count does not match data"),
    ]
    for ok, problem in checks:
        if not ok:
            raise HeaderCheckError(f"bad AIFF header: {problem}")
    return AudioFileInfo(channels=channels, sample_rate=int(rate), frames=frames)
