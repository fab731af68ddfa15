"""Producers with a library: audio files made by the tests, uploaded through the real engine."""

from __future__ import annotations

import io
import itertools
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile

from tests.stack import Producer

FORMATS = {
    "wav": ("WAV", "PCM_16"),
    "aiff": ("AIFF", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


_CALLS = itertools.count(1)


def audio_bytes(
    fmt: str = "wav",
    seconds: float = 0.5,
    rate: int = 44100,
    channels: int = 1,
    freq: float = 220.0,
) -> bytes:
    """A real encoded file: a sine tone in the given container. Each call's tone starts at a
    different phase, so two files are never byte for byte the same audio (which the engine
    refuses as a duplicate): tests that upload the same file twice do so on purpose."""
    t = np.arange(int(seconds * rate)) / rate
    phase = next(_CALLS) * 0.01
    tone = (0.4 * np.sin(2 * np.pi * freq * t + phase)).astype("float32")
    data = np.stack([tone] * channels, axis=1) if channels > 1 else tone
    buffer = io.BytesIO()
    container, subtype = FORMATS[fmt]
    soundfile.write(buffer, data, rate, format=container, subtype=subtype)
    return buffer.getvalue()


def upload(client: httpx.Client, title: str, **audio: Any) -> str:
    """Upload a real audio file (`audio_bytes(**audio)`) through the engine; the sample id."""
    response = client.post(
        "/api/samples",
        files={"audio": (f"{title}.wav", audio_bytes(**audio), "audio/wav")},
        data={"title": title},
    )
    assert response.status_code == 201, response.text
    sample_id: str = response.json()["sample_id"]
    return sample_id


@pytest.fixture
def producer_client(engine, account: Producer):  # type: ignore[no-untyped-def]
    """The engine client, signed in as `account`."""
    engine.headers.update(account.auth)
    return engine
