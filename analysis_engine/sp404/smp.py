"""The `.SMP` sample files of a native SP-404MK2 project (beta): a 512-byte header, then
big-endian 16-bit audio."""

from __future__ import annotations

import hashlib
import struct
from typing import IO

import numpy as np
import numpy.typing as npt

from analysis_engine.sp404 import offsets as o
from analysis_engine.sp404.errors import UnsupportedAudioError


def smp_file_size(frames: int, channels: int) -> int:
    """Return the byte size of a `.SMP` holding `frames` 16-bit frames."""
    return o.SMP_AUDIO_OFFSET + frames * channels * 2


def smp_header(frames: int, channels: int) -> bytes:
    """Return the 512 bytes that precede the audio of a `.SMP` file."""
    if channels not in (1, 2):
        raise UnsupportedAudioError(
            f"an SP-404MK2 sample is mono or stereo, not {channels} channels"
        )
    header = bytearray(o.SMP_AUDIO_OFFSET)
    header[0:4] = o.SMP_MAGIC
    struct.pack_into(">I", header, o.SMP_SIZE_FIELD, smp_file_size(frames, channels) - 8)
    struct.pack_into(">I", header, o.SMP_RATE_FIELD, o.SMP_SAMPLE_RATE)
    struct.pack_into(">I", header, o.SMP_CHANNELS_FIELD, channels)
    struct.pack_into(">I", header, o.SMP_BITS_FIELD, o.SMP_BITS)
    header[o.SMP_MD5_FIELD : o.SMP_MD5_FIELD + 16] = smp_checksum(bytes(header))
    return bytes(header)


def smp_checksum(header: bytes) -> bytes:
    """The MD5 a device stores at 0x20: of the size, rate, channels and bits fields."""
    # A format checksum, not security.
    return hashlib.md5(
        header[o.SMP_CHECKED_FROM : o.SMP_CHECKED_TO], usedforsecurity=False
    ).digest()


def write_smp(stream: IO[bytes], pcm: npt.NDArray[np.int16]) -> int:
    """Write 16-bit frames x channels PCM as a `.SMP` file; return bytes written."""
    if pcm.ndim != 2 or pcm.dtype != np.int16:
        raise UnsupportedAudioError("SMP audio must be int16 shaped frames x channels")
    frames, channels = pcm.shape
    stream.write(smp_header(frames, channels))
    # Interleaved big-endian: C order already puts a frame's channels together.
    stream.write(np.ascontiguousarray(pcm, dtype=">i2").tobytes())
    return smp_file_size(frames, channels)


def smp_name(bank_number: int, pad: int) -> str:
    """Return the file name of a pad's sample, e.g. 'BANK1-01.SMP' for A1."""
    if not 1 <= bank_number <= 10 or not 1 <= pad <= 16:
        raise ValueError(f"no pad {bank_number}-{pad} on an SP-404MK2")
    return f"BANK{bank_number}-{pad:02d}.SMP"
