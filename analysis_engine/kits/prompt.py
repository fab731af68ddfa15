"""A kit asked for in plain words ("dusty lo-fi drums at 92", "dark trap kit in F minor 140"):
the tempo, the key and the words that describe the sounds, and how well a sample's own words
(title, file name, tags, genre, the vibe's description, moods and descriptors) match them.

Words are compared by a simple stem (plurals, -ing, -ed, -y: "drums" = "drum", "dusty" =
"dust"), and a hyphenated word counts whole and in parts ("lo-fi" = "lofi", "lo", "fi").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from analysis_engine.music import Key, parse_key
from analysis_engine.sp404 import MAX_BPM, MIN_BPM

# Words that say what is wanted but not what it sounds like.
_FILLER = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "for", "with", "some", "me", "my", "in", "at", "on",
        "to", "from", "by", "kit", "kits", "bank", "banks", "build", "make", "give", "want",
        "sound", "sounds", "sample", "samples", "bpm", "tempo", "key", "around", "about", "like",
    }
)  # fmt: skip
_TEMPO = re.compile(r"\b(\d{2,3}(?:\.\d+)?)\s*(?:bpm\b)?", re.IGNORECASE)
# A key needs a mode word, or "in" before a capital letter: "a dark kit" is not in A.
_KEY_WITH_MODE = re.compile(
    r"\b([A-Ga-g])\s*(#|♯|b|♭|-?sharp|-?flat)?\s*(major|minor|maj|min)\b", re.IGNORECASE
)
_KEY_SHORT = re.compile(r"(?<![\w#])([A-G])(#|b)?(m)(?![\w#])")
_KEY_AFTER_IN = re.compile(r"\bin\s+([A-G])(#|b)?(?![\w#])")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class KitRequest:
    """What a sentence asks for: a tempo, a key and the words describing the sounds."""

    bpm: float | None
    key: Key | None
    words: tuple[str, ...]

    @property
    def stems(self) -> frozenset[str]:
        """The stems the words are matched by."""
        return frozenset(stem(w) for w in self.words)


def stem(word: str) -> str:
    """A crude stem: "drums" -> "drum", "dusty" -> "dust", "claps" -> "clap"."""
    w = word.lower()
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + keep
            # "chopped" -> "chop", but "buzzing" -> "buzz" keeps its double letter.
            if not keep and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouslz":
                w = w[:-1]
            break
    else:
        if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = w[:-1]
    return w


def _accidental(raw: str | None) -> str:
    text = (raw or "").lower().lstrip("-")
    if text in ("#", "♯", "sharp"):
        return "#"
    if text in ("b", "♭", "flat"):
        return "b"
    return ""


def parse_request(text: str) -> KitRequest:
    """The tempo, key and describing words of a kit request."""
    rest = text
    key: Key | None = None
    for pattern in (_KEY_WITH_MODE, _KEY_SHORT, _KEY_AFTER_IN):
        match = pattern.search(rest)
        if match is None:
            continue
        letter, accidental = match.group(1).upper(), _accidental(match.group(2))
        mode = "minor" if pattern is _KEY_SHORT else "major"
        if pattern is _KEY_WITH_MODE:
            mode = "minor" if match.group(3).lower().startswith("min") else "major"
        key = parse_key(f"{letter}{accidental} {mode}")
        rest = rest[: match.start()] + " " + rest[match.end() :]
        break
    bpm: float | None = None
    for match in _TEMPO.finditer(rest):
        value = float(match.group(1))
        if MIN_BPM <= value <= MAX_BPM:
            bpm = value
            rest = rest[: match.start()] + " " + rest[match.end() :]
            break
    words: list[str] = []
    for word in _WORD.findall(rest.lower()):
        if word in _FILLER or word.isdigit() or word in words:
            continue
        words.append(word)
    return KitRequest(bpm=bpm, key=key, words=tuple(words))


def _stems_of(texts: Iterable[str | None], cores: frozenset[str]) -> set[str]:
    """The stems of those of `texts`' words that hold one of `cores` (from `_core`; the others
    cannot stem to a stem the cores come from), a hyphenated word whole, joined and in parts."""
    stems: set[str] = set()
    for text in texts:
        for word in _WORD.findall((text or "").lower()):
            joined = word.replace("-", "")
            if not any(core in word or core in joined for core in cores):
                continue
            stems.add(stem(word))
            if "-" in word:
                stems.add(stem(joined))
                stems.update(stem(part) for part in word.split("-") if part)
    return stems


def _core(stemmed: str) -> str:
    """What every word with this stem contains: `stem` only cuts a suffix (turning "ies" into
    "y", which it may cut too), so the stem less a final "y" is part of the word."""
    return stemmed[:-1] if stemmed.endswith("y") else stemmed


def request_stems(request: KitRequest) -> dict[str, frozenset[str]]:
    """Each describing word with the stems that stand for it ("lo-fi": lofi, lo, fi)."""
    return {word: frozenset({stem(word), stem(word.replace("-", ""))}) for word in request.words}


def words_in(request: KitRequest, texts: Iterable[str | None]) -> frozenset[str]:
    """The request's describing words that the words of `texts` match: a sample's own words
    and its vibe's (kits/queries.sql `sentence_matches`), but not the vibe's best use, which
    says what to play the sound with ("drum loop to chop or layer under a beat"), so its words
    may name other sounds (vibes written before 2026-12-06 told a keys loop to "play under
    drums", and "drums" would pick it)."""
    wanted, cores = _wanted(request)
    # Only words that could stem to a wanted stem are stemmed (a 40,000-sample pool's texts).
    have = _stems_of(texts, cores)
    return frozenset(word for word, stems in wanted.items() if stems & have)


@functools.lru_cache(maxsize=64)
def _wanted(request: KitRequest) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    wanted = request_stems(request)
    return wanted, frozenset(_core(s) for stems in wanted.values() for s in stems)
