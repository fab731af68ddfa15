"""Names on the sampler's screen and the SD card: safe, short, unique, in pad order."""

from __future__ import annotations

import re

import pytest

from analysis_engine.sp404 import FolderNames, clean_name, pad_sample_name, project_name

SAFE = re.compile(r"^[A-Z0-9 _~-]+$")
RESERVED = {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}

HOSTILE = [
    "../../etc/passwd",
    "..",
    ".",
    "/",
    "C:\\Windows\\system32",
    "CON",
    "con",
    "nul",
    "LPT1",
    "🔥🔥🔥",
    "",
    "   ",
    "x" * 200,
    "kick\x00.wav",
    "\x00\x00",
    "line\nbreak\ttab",
    "%2e%2e%2f",
    "名前",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_become_safe_short_ascii(text: str) -> None:
    name = clean_name(text)
    assert 1 <= len(name) <= 23
    assert name.isascii()
    assert SAFE.match(name)
    assert name not in (".", "..")
    assert name.strip() == name
    assert name not in RESERVED


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_project_names_become_safe_and_at_most_32_characters(text: str) -> None:
    name = project_name(text)
    assert 1 <= len(name) <= 32
    assert SAFE.match(name)
    assert name not in RESERVED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kick Deep", "KICK DEEP"),
        ("Café Crème", "CAFE CREME"),
        ("Ångström  snare", "ANGSTROM SNARE"),
        ("hat/open.wav", "HAT OPEN WAV"),
        ("808_sub-bass", "808_SUB-BASS"),
        ("../../etc/passwd", "ETC PASSWD"),
        ("CON", "CON_"),
        ("", "SAMPLE"),
        ("🔥", "SAMPLE"),
    ],
)
def test_names_are_transliterated_uppercased_and_collapsed(text: str, expected: str) -> None:
    assert clean_name(text) == expected


def test_a_200_character_name_is_cut_to_23() -> None:
    assert clean_name("ab " * 70) == "AB AB AB AB AB AB AB AB"


def test_alphabetical_order_is_pad_order_whatever_the_names() -> None:
    titles = ["zebra", "Aardvark", "", "01 first", "~tilde", "999", "Émile"] + ["x"] * 9
    names = [pad_sample_name(pad, title) for pad, title in enumerate(titles, start=1)]
    assert sorted(names) == names
    assert all(len(name) <= 23 for name in names)
    assert names[0] == "01 ZEBRA"
    assert names[6] == "07 EMILE"


def test_pad_names_stay_within_23_characters_with_the_prefix() -> None:
    name = pad_sample_name(16, "a very long sample name that goes on")
    assert len(name) == 23
    assert name.startswith("16 ")


def test_folder_names_are_unique_case_insensitively_and_stay_short() -> None:
    folder = FolderNames()
    claimed = [folder.claim(text) for text in ["Kick", "KICK", "kick"] + ["k" * 40] * 12]
    assert len({name.casefold() for name in claimed}) == len(claimed)
    assert claimed[:3] == ["KICK", "KICK~2", "KICK~3"]
    assert all(len(name) <= 23 for name in claimed)
    assert claimed[-1].endswith("~12")


def test_two_hostile_names_that_clean_the_same_do_not_collide() -> None:
    folder = FolderNames()
    assert folder.claim("..") != folder.claim("/")
