"""Decode uploaded audio into float32 frames x channels with soundfile (no torch here)."""

from __future__ import annotations

import io
import os
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import soundfile


class UndecodableAudio(ValueError):
    """The audio could not be decoded: it is empty, corrupt or in an unsupported format."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.__doc__)


class DecodedAudio(NamedTuple):
    """Samples shaped (frames, channels) and their rate; a valid clip for `extract_batch`."""

    samples: npt.NDArray[np.float32]
    sample_rate: int


def decode_audio(source: bytes | str | os.PathLike[str]) -> DecodedAudio:
    """Decode bytes or a file path; raise UndecodableAudio when that is impossible."""
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) == 0:
            raise UndecodableAudio("the audio is empty (0 bytes)")
        target: io.BytesIO | str | os.PathLike[str] = io.BytesIO(bytes(source))
    else:
        target = source
    try:
        samples, sample_rate = soundfile.read(target, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise UndecodableAudio(f"the audio could not be decoded: {exc}") from exc
    if samples.shape[0] == 0 or samples.shape[1] == 0:
        raise UndecodableAudio("the audio holds no sample frames")
    if sample_rate <= 0:
        raise UndecodableAudio(f"the audio has an invalid sample rate {sample_rate}")
    if not np.isfinite(samples).all():
        raise UndecodableAudio("the audio holds NaN or infinite samples")
    return DecodedAudio(np.ascontiguousarray(samples, dtype=np.float32), int(sample_rate))
