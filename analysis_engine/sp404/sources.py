"""What the packers read: decoded audio with its pad and catalogue details.

Packers take iterables of these, so a caller can decode one clip at a time
from blob storage inside a generator and never hold a whole kit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy.typing as npt

from analysis_engine.sp404.layout import PadSettings


@dataclass(frozen=True)
class SampleInfo:
    """Catalogue details shown in PADMAP.txt and used to organise exports."""

    title: str = ""
    bpm: float | None = None
    key: str | None = None
    genre: str | None = None


@dataclass(frozen=True)
class KitSample:
    """Decoded audio bound for one pad of a kit."""

    pad: PadSettings
    audio: npt.ArrayLike
    sample_rate: int
    name: str
    info: SampleInfo = field(default_factory=SampleInfo)


@dataclass(frozen=True)
class LibrarySample:
    """Decoded audio for a plain (not kit) export."""

    audio: npt.ArrayLike
    sample_rate: int
    name: str
    info: SampleInfo = field(default_factory=SampleInfo)
