"""Genre and era, read only from what the owner wrote (title and tags): audio cannot tell them.

A whole-word match against a small vocabulary; the first hit in the tags wins, then the title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Spelling the owner might use -> the name stored. Longer spellings first so "drum and bass"
# wins over nothing shorter, and "boom bap" is read before a lone "bap" could matter.
_GENRES: dict[str, str] = {
    "boom bap": "boom bap",
    "boom-bap": "boom bap",
    "boombap": "boom bap",
    "drum and bass": "drum and bass",
    "drum & bass": "drum and bass",
    "drum n bass": "drum and bass",
    "dnb": "drum and bass",
    "d&b": "drum and bass",
    "hip hop": "hip hop",
    "hip-hop": "hip hop",
    "hiphop": "hip hop",
    "lo-fi": "lo-fi",
    "lofi": "lo-fi",
    "lo fi": "lo-fi",
    "r&b": "r&b",
    "rnb": "r&b",
    "bossa nova": "bossa nova",
    "uk garage": "uk garage",
    "afrobeat": "afrobeat",
    "afrobeats": "afrobeats",
    "amapiano": "amapiano",
    "ambient": "ambient",
    "breakbeat": "breakbeat",
    "dancehall": "dancehall",
    "disco": "disco",
    "drill": "drill",
    "dub": "dub",
    "dubstep": "dubstep",
    "footwork": "footwork",
    "funk": "funk",
    "garage": "garage",
    "gospel": "gospel",
    "grime": "grime",
    "house": "house",
    "jazz": "jazz",
    "jungle": "jungle",
    "reggae": "reggae",
    "rock": "rock",
    "soul": "soul",
    "synthwave": "synthwave",
    "techno": "techno",
    "trap": "trap",
}
_GENRE_PATTERN = re.compile(
    r"(?<![\w&])("
    + "|".join(re.escape(name) for name in sorted(_GENRES, key=len, reverse=True))
    + r")(?![\w&])"
)
# "1970s", "70s", "'70s", "70's". Two-digit "20s" is left alone: 1920s and 2020s both occur.
_APOSTROPHES = "'\u2019"
_ERA_PATTERN = re.compile(
    rf"(?<![\w])(?:(19|20)(\d)0|[{_APOSTROPHES}]?([3-9]|0|1)0)[{_APOSTROPHES}]?s(?![\w])"
)


def genre_from(title: str | None, tags: Sequence[str]) -> str | None:
    """The genre the owner's tags or title name, if any."""
    for text in (*tags, title or ""):
        match = _GENRE_PATTERN.search(text.lower())
        if match:
            return _GENRES[match.group(1)]
    return None


def era_from(title: str | None, tags: Sequence[str]) -> str | None:
    """The decade the owner's tags or title name ("1970s"), if any."""
    for text in (*tags, title or ""):
        match = _ERA_PATTERN.search(text.lower())
        if match:
            century, decade, short = match.groups()
            if century:
                return f"{century}{decade}0s"
            return f"20{short}0s" if short in ("0", "1") else f"19{short}0s"
    return None
