"""Audio identified by its content (never by name or declared type), and checked by decoding."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from sp404.core.errors import Unprocessable, UnsupportedMediaType

SNIFF_BYTES = 64
# Decoding short of this fraction of the declared frames means the file was cut off.
_TRUNCATION_TOLERANCE = 0.99


class UnsupportedAudio(UnsupportedMediaType):
    """That is not a supported audio file: send WAV, AIFF, FLAC, OGG or MP3."""

    code = "unsupported_audio"


class BrokenAudio(Unprocessable):
    """The audio file is damaged, truncated or empty and cannot be decoded."""

    code = "undecodable_audio"


@dataclass(frozen=True)
class AudioInfo:
    format: str
    duration_s: float
    sample_rate: int
    channels: int
    frames: int


def sniff(head: bytes) -> str | None:
    """The audio format the first bytes announce, or None."""
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if len(head) >= 12 and head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3":
        return "mp3"
    # An MPEG audio frame header: 11 set sync bits, then a layer that is not "reserved".
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06):
        return "mp3"
    return None


def _container_truncated(path: Path, fmt: str) -> bool:
    # libsndfile quietly clamps a RIFF/FORM chunk that runs past the end of the file, so a cut-off
    # upload would decode "fine"; the container's own size field tells the truth.
    if fmt not in ("wav", "aiff"):
        return False
    with path.open("rb") as handle:
        head = handle.read(8)
    declared = int.from_bytes(head[4:8], "little" if fmt == "wav" else "big")
    if declared == 0xFFFFFFFF:  # RF64: the real size lives in a ds64 chunk
        return False
    return declared + 8 > path.stat().st_size


def check_audio(path: Path, expected_format: str) -> AudioInfo:
    """Decode the whole file; raise BrokenAudio when it is empty, damaged or truncated."""
    if _container_truncated(path, expected_format):
        raise BrokenAudio("The audio file is truncated.")
    try:
        with soundfile.SoundFile(path) as audio:
            declared = audio.frames
            rate, channels = audio.samplerate, audio.channels
            decoded = 0
            for block in audio.blocks(blocksize=65536, dtype="float32", always_2d=True):
                if not np.isfinite(block).all():
                    raise BrokenAudio("The audio contains invalid samples.")
                decoded += len(block)
    except (RuntimeError, soundfile.LibsndfileError, ValueError) as exc:
        raise BrokenAudio() from exc
    if decoded == 0 or rate <= 0:
        raise BrokenAudio("The audio file holds no sound.")
    if expected_format in ("wav", "aiff", "flac") and decoded < declared * _TRUNCATION_TOLERANCE:
        raise BrokenAudio("The audio file is truncated.")
    return AudioInfo(expected_format, decoded / rate, rate, channels, decoded)
