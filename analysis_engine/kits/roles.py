"""Pad roles: which sounds suit which pads of a bank, from words and analysis figures.

The layout follows the common SP-404 habit of one bank per song:

    pads 1-4    loops        loops of at least 3 s (breaks, grooves, chops)
    pads 5-8    textures     pads, ambience, vinyl, FX, risers, cymbals (crash, ride)
    pads 9-12   percussion   claps, rims, shakers, congas, toms, cowbells ...
    pad 13      kick
    pad 14      snare
    pad 15      closed hat
    pad 16      open hat

A sample's fit for a role (0 = unfit, up to 1) comes from two kinds of evidence:

- Words: the title, file name, tags and the vibe's descriptors and best use, split into
  lower-case words ("Kick_01" gives "kick", "01"). A role word is the strongest evidence: the
  producer or the vibe model named the sound. Word lists are in ROLE_WORDS below.
- Analysis figures (`audio_features.features`): `is_loop` and `duration_s`, the spectral
  centroid (`spectral_centroid_hz`: kicks sit low, hats high) and the percussive share
  (1 - `harmonic_percussive_ratio`: hits are percussive, pads and drones are tonal).

Hard rules come first: the loop role needs a loop (flagged by analysis, or named one) of at least
3 s; the drum roles (percussion, kick, snare, hats) refuse loops and anything of 3 s or more.
Then a named sound scores 0.7 plus up to 0.3 as the figures agree; an unnamed one scores 0.5
when every figure agrees and 0 otherwise, so a named kick always beats a low thud that merely
sounds like one, and an unanalysed, unnamed sample suits no role.

The figures a role's sound usually has (each met condition adds to the figures' share):

    kick        shorter than 1.5 s, centroid under 1,200 Hz, mostly percussive
    snare       shorter than 1 s, centroid 1,200-5,000 Hz, mostly percussive
    closed hat  shorter than 0.35 s, centroid 5,000 Hz or more
    open hat    0.35-2 s long, centroid 5,000 Hz or more
    percussion  shorter than 1.5 s, mostly percussive
    texture     1.5 s or longer, and tonal (percussive share under 0.4) or bright (6,000 Hz+)
                and no drum loop (a loop mostly percussive)
    loop        analysed as a loop
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["loop", "texture", "percussion", "kick", "snare", "closed_hat", "open_hat"]
ROLES: tuple[Role, ...] = (
    "loop",
    "texture",
    "percussion",
    "kick",
    "snare",
    "closed_hat",
    "open_hat",
)
LOOP_MIN_S = 3.0
DRUM_ROLES: frozenset[Role] = frozenset({"percussion", "kick", "snare", "closed_hat", "open_hat"})
# Fill order for a bank: the most specific roles first, so a sample that could be a kick or
# general percussion lands on the kick pad.
FILL_ORDER = (13, 14, 15, 16, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)

ROLE_WORDS: Mapping[Role, frozenset[str]] = {
    "loop": frozenset(
        {"loop", "loops", "break", "breakbeat", "breaks", "groove", "chop", "phrase"}
    ),
    "texture": frozenset(
        {
            "texture", "pad", "pads", "ambient", "ambience", "atmos", "atmosphere", "drone",
            "vinyl", "crackle", "noise", "fx", "sfx", "riser", "sweep", "foley", "field", "rain",
            "tape", "hiss", "swell", "reverse", "cymbal", "crash", "ride", "splash", "china",
        }
    ),
    "percussion": frozenset(
        {
            "perc", "percussion", "conga", "bongo", "shaker", "shake", "tambourine", "tamb",
            "clap", "claps", "rim", "rimshot", "tom", "toms", "cowbell", "snap", "block", "clave",
            "guiro", "cabasa", "triangle", "timbale", "djembe", "agogo",
        }
    ),
    "kick": frozenset({"kick", "kicks", "kik", "kck", "bd", "bassdrum"}),
    "snare": frozenset({"snare", "snares", "snr", "sd"}),
    "closed_hat": frozenset({"hat", "hats", "hihat", "hihats", "hh", "chh", "ch"}),
    "open_hat": frozenset({"ohh", "oh", "openhat"}),
}  # fmt: skip
_HAT_WORDS = ROLE_WORDS["closed_hat"]
_WORD = re.compile(r"[a-z]+|[0-9]+")


@dataclass(frozen=True)
class Sound:
    """What the role rules know about one sample."""

    words: frozenset[str]
    is_loop: bool | None
    duration_s: float | None
    centroid_hz: float | None
    percussive_share: float | None


def words_of(texts: Iterable[str | None]) -> frozenset[str]:
    """Lower-case words of the given texts, letters and digits apart ("Kick01" -> kick, 01)."""
    words: set[str] = set()
    for text in texts:
        if text:
            words.update(_WORD.findall(text.lower()))
    # Two-word names the lists spell as one.
    if {"bass", "drum"} <= words:
        words.add("bassdrum")
    if {"hi", "hat"} <= words:
        words.add("hihat")
    return frozenset(words)


def sound_of(row: Mapping[str, Any]) -> Sound:
    """A Sound from a candidates row (see kits/queries.sql)."""
    descriptors = row.get("descriptors") or []
    words = words_of([row.get("title"), row.get("filename"), row.get("best_use")])
    words |= words_of([*(row.get("tags") or []), *descriptors])
    # The producer's loop flag and length win over the analysis', which only fills gaps.
    is_loop = row.get("is_loop")
    if is_loop is None:
        is_loop = row.get("analysed_loop")
    duration = row.get("duration_s")
    if duration is None:
        duration = row.get("analysed_duration_s")
    harmonic = row.get("harmonic_share")
    return Sound(
        words=words,
        is_loop=is_loop,
        duration_s=duration,
        centroid_hz=row.get("centroid_hz"),
        percussive_share=None if harmonic is None else 1.0 - float(harmonic),
    )


def role_of_pad(pad: int) -> Role:
    """The role of pad 1..16 within a bank."""
    if not 1 <= pad <= 16:
        raise ValueError(f"pad must be 1..16, got {pad}")
    if pad <= 4:
        return "loop"
    if pad <= 8:
        return "texture"
    if pad <= 12:
        return "percussion"
    return ("kick", "snare", "closed_hat", "open_hat")[pad - 13]


def _named(role: Role, words: frozenset[str]) -> bool:
    if role == "open_hat":
        return bool(words & ROLE_WORDS["open_hat"]) or (
            "open" in words and bool(words & _HAT_WORDS)
        )
    if role == "closed_hat":
        return (
            bool(words & _HAT_WORDS) and "open" not in words and not words & ROLE_WORDS["open_hat"]
        )
    return bool(words & ROLE_WORDS[role])


def _share(conditions: Iterable[bool | None]) -> float:
    """The share of known conditions that hold (unknown figures count as unmet)."""
    checks = list(conditions)
    return sum(1 for check in checks if check) / len(checks)


def _below(value: float | None, limit: float) -> bool | None:
    return None if value is None else value < limit


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def _figures(role: Role, sound: Sound) -> float:
    centroid, duration, percussive = sound.centroid_hz, sound.duration_s, sound.percussive_share
    mostly_percussive = _at_least(percussive, 0.5)
    if role == "kick":
        return _share([_below(duration, 1.5), _below(centroid, 1200.0), mostly_percussive])
    if role == "snare":
        mid = None if centroid is None else 1200.0 <= centroid < 5000.0
        return _share([_below(duration, 1.0), mid, mostly_percussive])
    if role == "closed_hat":
        return _share([_below(duration, 0.35), _at_least(centroid, 5000.0)])
    if role == "open_hat":
        ringing = None if duration is None else 0.35 <= duration < 2.0
        return _share([ringing, _at_least(centroid, 5000.0)])
    if role == "percussion":
        return _share([_below(duration, 1.5), mostly_percussive])
    if role == "texture":
        tonal = _below(percussive, 0.4)
        # Bright is a cymbal's or a riser's mark, not a drum loop's: its hats are bright too.
        bright = _at_least(centroid, 6000.0) and not (sound.is_loop and mostly_percussive)
        sustained = _at_least(duration, 1.5)
        return _share([sustained, bool(tonal) or bool(bright)])
    return 1.0 if sound.is_loop else 0.0


def role_score(role: Role, sound: Sound) -> float:
    """How well a sound suits a role: 0 (unfit) to 1."""
    duration = sound.duration_s
    named = _named(role, sound.words)
    if role == "loop":
        if duration is None or duration < LOOP_MIN_S or not (sound.is_loop or named):
            return 0.0
    elif role in DRUM_ROLES:
        if sound.is_loop or (duration is not None and duration >= LOOP_MIN_S):
            return 0.0
    figures = _figures(role, sound)
    if named:
        return round(0.7 + 0.3 * figures, 4)
    return round(0.5 * figures, 4) if figures >= 0.99 else 0.0


def role_fits(sound: Sound) -> tuple[float, ...]:
    """`role_score` of every role, in ROLES order (what ranking by role reads)."""
    return tuple(role_score(role, sound) for role in ROLES)


def best_role(sound: Sound) -> tuple[Role, float]:
    """The role a sound suits best, with its score (ties go to the more specific role)."""
    ranked = sorted(ROLES[::-1], key=lambda role: -role_score(role, sound))
    top = ranked[0]
    return top, role_score(top, sound)
