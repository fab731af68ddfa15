"""Plain sample exports, flat or sorted into folders by BPM, key or genre.

Layout: IMPORT/<EXPORT>/<GROUP>/<NAME>.WAV, or IMPORT/<EXPORT>/<NAME>.WAV flat.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import IO, Literal

from analysis_engine.sp404.archive import (
    AUDIO_EXTENSIONS,
    IMPORT_ROOT,
    AudioFormat,
    DateTime,
    PackReport,
    PackWriter,
)
from analysis_engine.sp404.convert import ConvertOptions, convert_audio
from analysis_engine.sp404.names import FolderNames, clean_name, project_name
from analysis_engine.sp404.sources import LibrarySample, SampleInfo

Organise = Literal["flat", "bpm", "key", "genre"]
NO_BPM = "NO BPM"
NO_KEY = "NO KEY"
NO_GENRE = "NO GENRE"

_KEY = re.compile(
    r"^\s*(?P<letter>[A-Ga-g])\s*(?P<accidental>#|♯|b|♭|sharp|flat)?\s*(?P<mode>[A-Za-z]*)\s*$",
    re.IGNORECASE,
)
_MINOR = {"m", "min", "minor", "mi", "aeolian"}
_MAJOR = {"", "maj", "major", "ma", "ionian"}
_ACCIDENTALS = {
    "#": " SHARP",
    "♯": " SHARP",
    "sharp": " SHARP",
    "b": " FLAT",
    "♭": " FLAT",
    "flat": " FLAT",
}


def bpm_folder(bpm: float | None) -> str:
    """Return the ten-BPM bucket folder, e.g. '090-099 BPM' for 94.5."""
    if bpm is None or not math.isfinite(bpm) or bpm <= 0:
        return NO_BPM
    low = int(bpm // 10) * 10
    return f"{low:03d}-{low + 9:03d} BPM"


def key_folder(key: str | None) -> str:
    """Return a folder name such as 'A MINOR' or 'F SHARP MAJOR' for a key label."""
    match = _KEY.match(key or "")
    if match is None:
        return NO_KEY
    mode_text = match["mode"]
    # 'm' is minor and 'M' major in chord-style labels; longer words ignore case.
    if mode_text == "M":
        mode = "MAJOR"
    elif mode_text.lower() in _MINOR:
        mode = "MINOR"
    elif mode_text.lower() in _MAJOR:
        mode = "MAJOR"
    else:
        return NO_KEY
    accidental = (match["accidental"] or "").lower()
    return f"{match['letter'].upper()}{_ACCIDENTALS.get(accidental, '')} {mode}"


def genre_folder(genre: str | None) -> str:
    """Return a safe folder name for a genre label."""
    return clean_name(genre or "", fallback=NO_GENRE)


def group_folder(info: SampleInfo, organise: Organise) -> str | None:
    """Return the folder a sample goes in, or None for a flat export."""
    if organise == "flat":
        return None
    if organise == "bpm":
        return bpm_folder(info.bpm)
    if organise == "key":
        return key_folder(info.key)
    if organise == "genre":
        return genre_folder(info.genre)
    raise ValueError(f"organise must be flat, bpm, key or genre, not {organise!r}")


def write_sample_export(
    target: IO[bytes],
    samples: Iterable[LibrarySample],
    *,
    organise: Organise = "flat",
    export_name: str = "SAMPLE CLOUD",
    options: ConvertOptions | None = None,
    audio_format: AudioFormat = "wav",
    date_time: DateTime | None = None,
) -> PackReport:
    """Write samples into a zip on `target`, flat or grouped into folders."""
    root = project_name(export_name)
    extension = AUDIO_EXTENSIONS[audio_format]
    folders: dict[str | None, FolderNames] = {}
    with PackWriter(target, date_time=date_time) as pack:
        for sample in samples:
            group = group_folder(sample.info, organise)
            names = folders.setdefault(group, FolderNames())
            stem = names.claim(sample.name)
            converted = convert_audio(sample.audio, sample.sample_rate, options)
            folder = (IMPORT_ROOT, root) if group is None else (IMPORT_ROOT, root, group)
            name = pack.add_audio((*folder, stem + extension), converted.pcm, audio_format)
            pack.report.note(name, converted)
    return pack.report
