"""Which keys and tempos mix: key names, relative and parallel keys, fifths, Camelot numbers,
half/double time.

One spelling everywhere: every key the API answers is spelled with sharps, as the analysis names
pitch classes ("C#", "D#", "F#", "G#", "A#"), and " major" or " minor". Whatever a producer
types ("Ab minor", "Bbm") is understood and stored in that spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_ACCIDENTALS = {"": 0, "#": 1, "♯": 1, "b": -1, "♭": -1}
_MINOR = {"minor", "min", "m"}
_MAJOR = {"major", "maj", ""}
# "A minor", "C# major", "Bb min", "F♯m", "Am", "E": a tonic, an accidental, an optional mode.
_KEY = re.compile(r"^\s*([A-Ga-g])\s*([#♯b♭]?)\s*([A-Za-z]*)\s*$")
_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# A key as filters take it, the way smart rules and sample edits spell keys ("A minor", "C# major",
# "Bb minor"); search matches every spelling of the same key, as stored by detector or producer.
KEY_SPELLING = r"^[A-Ga-g](#|b)? ([Mm]ajor|[Mm]inor)$"

KEY_RELATIONS = ("same", "relative", "fifth", "parallel")
# How far a key filter reaches: the key itself; and its relative; and its fifths too.
KEY_MATCHES = ("exact", "relative", "compatible")
TEMPO_RELATIONS = ("same", "double", "half")


@dataclass(frozen=True, slots=True)
class Key:
    """A key as a pitch class (C = 0 ... B = 11) and a mode, so enharmonic spellings are equal."""

    tonic: int
    minor: bool

    @property
    def code(self) -> int:
        """One integer per key: 0-11 major, 12-23 minor."""
        return self.tonic + 12 * self.minor

    @property
    def camelot(self) -> str:
        """The key on the Camelot wheel: 1A-12A minor, 1B-12B major (A minor is 8A, C is 8B);
        neighbours by number are a fifth apart, A and B of a number are relatives."""
        # Each step round the wheel is a fifth up (7 semitones); G# minor and B major are 1.
        number = ((self.tonic - (8 if self.minor else 11)) * 7) % 12 + 1
        return f"{number}{'A' if self.minor else 'B'}"

    def __str__(self) -> str:
        return f"{_NAMES[self.tonic]} {'minor' if self.minor else 'major'}"


@lru_cache(maxsize=256)
def parse_key(text: str | None) -> Key | None:
    """The key a name spells ("A minor", "C# major", "Bb min", "Am"), or None if it is not one."""
    if not text:
        return None
    match = _KEY.match(text)
    if match is None:
        return None
    letter, accidental, mode = match.groups()
    # "M" alone is the usual shorthand for major and "m" for minor; longer words ignore case.
    if mode == "M":
        minor = False
    elif mode == "m" or mode.lower() in _MINOR - {"m"}:
        minor = True
    elif mode.lower() in _MAJOR:
        minor = False
    else:
        return None
    return Key((_LETTERS[letter.lower()] + _ACCIDENTALS[accidental]) % 12, minor)


def spell_key(text: str | None) -> str | None:
    """A stored or typed key in the one spelling the API answers ("Ab minor" -> "G# minor");
    text that is not a key comes back unchanged."""
    key = parse_key(text)
    return text if key is None else str(key)


def camelot_of(text: str | None) -> str | None:
    """The Camelot number of a key's name ("A minor" -> "8A"), or None."""
    key = parse_key(text)
    return None if key is None else key.camelot


def keys_matching(key: Key, match: str) -> list[Key]:
    """The keys a filter for `key` keeps: `exact` the key itself, `relative` also its relative
    major/minor, `compatible` also the keys a fifth up and down (same mode): the key's
    neighbours on the Camelot wheel."""
    keys = [key]
    if match in ("relative", "compatible"):
        keys.append(relative_key(key))
    if match == "compatible":
        keys.extend(fifth_keys(key))
    return keys


def key_spellings(key: Key) -> list[str]:
    """Every way `key` may be stored, in lower case: "c# minor" and "db minor" for C# minor."""
    mode = "minor" if key.minor else "major"
    return [
        f"{letter}{accidental} {mode}"
        for letter, pitch in _LETTERS.items()
        for accidental in ("", "#", "b")
        if (pitch + _ACCIDENTALS[accidental]) % 12 == key.tonic
    ]


def relative_key(key: Key) -> Key:
    """The relative minor of a major key, or the relative major of a minor one (same notes)."""
    if key.minor:
        return Key((key.tonic + 3) % 12, False)
    return Key((key.tonic + 9) % 12, True)


def parallel_key(key: Key) -> Key:
    """The same tonic in the other mode."""
    return Key(key.tonic, not key.minor)


def fifth_keys(key: Key) -> tuple[Key, Key]:
    """The neighbours on the circle of fifths: the dominant and the subdominant, same mode."""
    return Key((key.tonic + 7) % 12, key.minor), Key((key.tonic + 5) % 12, key.minor)


def key_relation(target: Key | None, other: Key | None) -> str | None:
    """How `other` relates to `target`: "same", "relative", "fifth", "parallel" or None."""
    if target is None or other is None:
        return None
    if other == target:
        return "same"
    if other == relative_key(target):
        return "relative"
    if other in fifth_keys(target):
        return "fifth"
    if other == parallel_key(target):
        return "parallel"
    return None


def compatible_keys(target: Key, *, fifths: bool = False) -> frozenset[Key]:
    """Keys that mix with `target`: itself and its relative, and its fifths when asked."""
    keys = {target, relative_key(target)}
    if fifths:
        keys.update(fifth_keys(target))
    return frozenset(keys)


def tempo_windows(
    target_bpm: float, tolerance_pct: float, *, half_double: bool
) -> dict[str, tuple[float, float]]:
    """The BPM ranges (inclusive) that match `target_bpm`, by relation."""
    share = tolerance_pct / 100.0
    windows = {"same": (target_bpm * (1 - share), target_bpm * (1 + share))}
    if half_double:
        # The tolerance scales with the tempo it is measured against: ±5% of 180 is ±9 BPM.
        windows["double"] = (2 * target_bpm * (1 - share), 2 * target_bpm * (1 + share))
        windows["half"] = (target_bpm / 2 * (1 - share), target_bpm / 2 * (1 + share))
    return windows


def tempo_relation(
    target_bpm: float | None, other_bpm: float | None, tolerance_pct: float
) -> str | None:
    """How `other_bpm` relates to `target_bpm` within the tolerance: "same", "double", "half"."""
    if target_bpm is None or other_bpm is None or target_bpm <= 0:
        return None
    for relation, (low, high) in tempo_windows(target_bpm, tolerance_pct, half_double=True).items():
        if low <= other_bpm <= high:
            return relation
    return None
