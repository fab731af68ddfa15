"""The tempo and key filters of the library list and text search: half and double time, and a
key with its relative or its Camelot neighbours, turned into the arrays the SQL takes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from analysis_engine.music import Key, key_relation, key_spellings, keys_matching, parse_key
from sp404.core.errors import Unprocessable

KeyMatch = Literal["exact", "relative", "compatible"]


@dataclass(frozen=True)
class TempoKeyFilter:
    """A tempo range (either end open) that may also keep half and double time, and a key that
    may also keep its relative (`relative`) and the keys a fifth away (`compatible`). A tempo
    bound leaves out samples without a tempo, and a key those without a key."""

    bpm_min: float | None = None
    bpm_max: float | None = None
    half_double: bool = False
    key: Key | None = None
    key_match: KeyMatch = "exact"

    def __post_init__(self) -> None:
        if self.bpm_min is not None and self.bpm_max is not None and self.bpm_min > self.bpm_max:
            raise Unprocessable("bpm_min must not be greater than bpm_max.")

    def tempo_args(self) -> tuple[list[float] | None, list[float] | None]:
        """Lower and upper bounds of each tempo range kept, at most three (the SQL spells out
        three ranges so that an index serves them; None: no tempo filter)."""
        if self.bpm_min is None and self.bpm_max is None:
            return None, None
        low = self.bpm_min or 0.0
        high = math.inf if self.bpm_max is None else self.bpm_max
        ranges = [(low, high)]
        if self.half_double:
            ranges += [(low * 2, high * 2), (low / 2, high / 2)]
        return [r[0] for r in ranges], [r[1] for r in ranges]

    def key_args(self) -> list[str] | None:
        """Every lower-case spelling of every key kept (None: no key filter)."""
        if self.key is None:
            return None
        return [s for k in keys_matching(self.key, self.key_match) for s in key_spellings(k)]

    def key_view(self) -> dict[str, Any] | None:
        """The key filter as understood, with the Camelot number of each key it keeps."""
        if self.key is None:
            return None
        return {
            "key": str(self.key),
            "camelot": self.key.camelot,
            "match": self.key_match,
            "keys": [
                {"key": str(k), "camelot": k.camelot, "relation": key_relation(self.key, k)}
                for k in keys_matching(self.key, self.key_match)
            ],
        }


def key_from_query(text: str | None) -> Key | None:
    """The key a filter names in any spelling ("Am", "A minor", "Bb min"); 422 for other text."""
    if text is None or not text.strip():
        return None
    key = parse_key(text)
    if key is None:
        raise Unprocessable(f'"{text}" is not a key; try "A minor" or "F# major".')
    return key
