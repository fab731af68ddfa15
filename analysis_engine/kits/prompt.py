"""A kit asked for in plain words ("dusty lo-fi drums at 92", "dark trap kit in F minor 140"):
the tempo, the key and the words that describe the sounds, and how well a sample's own words
(title, file name, tags, genre, the vibe's description, moods and descriptors) match them.

Words are compared by a simple stem (plurals, -ing, -ed, -y: "drums" = "drum", "dusty" =
"dust"), and a hyphenated word counts whole and in parts ("lo-fi" = "lofi", "lo", "fi").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


def _stems_of(texts: Iterable[str | None]) -> set[str]:
    stems: set[str] = set()
    for text in texts:
        for word in _WORD.findall((text or "").lower()):
            stems.add(stem(word))
            if "-" in word:
                stems.add(stem(word.replace("-", "")))
                stems.update(stem(part) for part in word.split("-") if part)
    return stems


def sample_stems(row: Mapping[str, Any]) -> set[str]:
    """The stems of a candidate's own words and its vibe's (see kits/queries.sql candidates).

    Not the vibe's best use: it says what to play the sound with ("loop to chop, flip or play
    under drums"), so its words name other sounds, and "drums" would pick a keys loop.
    """
    texts: list[str | None] = [
        row.get("title"), row.get("filename"), row.get("genre"),
        row.get("vibe_genre"), row.get("vibe_description"),
    ]  # fmt: skip
    for name in ("tags", "descriptors", "moods", "compatibility_tags"):
        texts.extend(row.get(name) or [])
    return _stems_of(texts)


def request_stems(request: KitRequest) -> dict[str, frozenset[str]]:
    """Each describing word with the stems that stand for it ("lo-fi": lofi, lo, fi)."""
    return {word: frozenset({stem(word), stem(word.replace("-", ""))}) for word in request.words}


def word_match(request: KitRequest, row: Mapping[str, Any]) -> float:
    """The share of the request's describing words a sample's words match (0 to 1; 1 when the
    request has none)."""
    if not request.words:
        return 1.0
    return len(words_matched(request, row)) / len(request.words)


def words_matched(request: KitRequest, row: Mapping[str, Any]) -> frozenset[str]:
    """The request's describing words that a sample's words match."""
    have = sample_stems(row)
    return frozenset(word for word, stems in request_stems(request).items() if stems & have)
