"""What a producer does in a session, as data: how often each step happens, the filters and
searches they type, and the small clips they upload. No locust here, so tests can import it
(locust monkey-patches the standard library on import)."""

from __future__ import annotations

import io
import random
import uuid

import numpy as np
import soundfile

# Relative weights of the steps after sign-in: browsing the library dominates; uploads are rare.
WEIGHTS: dict[str, int] = {
    "list_samples": 30,
    "filter_samples": 20,
    "open_sample": 15,
    "similar": 8,
    "search": 8,
    "poll_jobs": 6,
    "billing": 3,
    "refresh": 2,
    "upload": 2,
}
THINK_TIME_S = (3.0, 5.0)
# After a failed sign-in a client waits 5, 10, 20, 40, then 60 s (each +-50 % jitter).
LOGIN_BACKOFF_S = 5.0
LOGIN_BACKOFF_MAX_S = 60.0

WORDS = (
    "dusty warm dark bright gritty lush airy punchy crunchy mellow hazy vintage soulful dreamy "
    "rhodes piano kick snare hat vocal chop bass pad strings horn guitar synth break loop perc "
    "clap organ flute sax choir bell"
).split()
GENRES = ("boom bap", "lo-fi hip hop", "trap", "house", "jazz", "soul", "ambient", "funk")
KEYS = [f"{n} {m}" for n in "C C# D Eb E F F# G Ab A Bb B".split() for m in ("major", "minor")]
SORTS = ("created_desc", "created_asc", "title", "bpm", "duration")


def category(name: str) -> str:
    """The figure a request counts toward: "read", "upload", "auth" or "write"."""
    return name.split(":", 1)[0]


def filter_params(rnd: random.Random) -> dict[str, str | int]:
    """One filter a producer might set on the library page."""
    params: dict[str, str | int] = {"limit": 50, "sort": rnd.choice(SORTS)}
    choice = rnd.randrange(4)
    if choice == 0:
        low = rnd.randint(70, 150)
        params.update(bpm_min=low, bpm_max=low + rnd.choice((5, 10, 20)))
    elif choice == 1:
        params["key"] = rnd.choice(KEYS)
    elif choice == 2:
        params["genre"] = rnd.choice(GENRES)
    else:
        params["q"] = rnd.choice(WORDS)
    return params


def search_query(rnd: random.Random) -> str:
    """One or two words from the vocabulary the seeded titles use."""
    return " ".join(rnd.sample(WORDS, rnd.choice((1, 1, 2))))


def wav_clip(rnd: random.Random, seconds: float = 0.5, rate: int = 44100) -> bytes:
    """A real mono 16-bit WAV: a short tone at a random pitch (unique, so no dedupe)."""
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.4 * np.sin(2 * np.pi * rnd.uniform(80, 880) * t)).astype("float32")
    buffer = io.BytesIO()
    soundfile.write(buffer, tone, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def multipart(audio: bytes, filename: str, title: str) -> tuple[bytes, str]:
    """A multipart/form-data body with the `audio` file and a `title`; returns (body, type)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{title}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="{filename}"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    body = head + audio + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def client_address(index: int) -> str:
    """A distinct private address per simulated user (the per-address throttles are real)."""
    n = index + 1
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
