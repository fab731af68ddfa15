"""How a typed query and its filters become the search SQL's arguments: prefixes for a few plain
words only, every spelling of a key, and a tempo range that makes sense."""

from __future__ import annotations

import math

import pytest

from analysis_engine.music import Key, key_spellings, parse_key
from analysis_engine.samples.filters import TempoKeyFilter
from analysis_engine.search.text_search import SearchFilters, build_query
from sp404.core.errors import Unprocessable


@pytest.mark.parametrize(
    ("typed", "prefix_all"),
    [
        ("dus", "dus:*"),
        ("Dusty Rho", "dusty:* & rho:*"),
        ("lo-fi", None),
        ("nostalgic or punchy", "nostalgic:* & punchy:*"),
        ('"warm tape"', None),
        ("a", None),
        ("dusty -rhodes", None),
        ("-dusty", None),
        ("über", None),
        ("'; drop table", None),
        ("or", None),
    ],
)
def test_plain_words_get_prefixes_while_phrases_negations_and_others_go_without(
    typed: str, prefix_all: str | None
) -> None:
    assert build_query(typed).prefix_all == prefix_all


def test_nul_characters_and_surrounding_blanks_are_dropped() -> None:
    assert build_query("  a\x00b  ").text == "a b"


def test_many_words_get_no_prefixes() -> None:
    assert build_query(" ".join(["kick"] * 9)).prefix_all is None
    assert build_query(" ".join(["kick"] * 8)).prefix_all == " & ".join(["kick:*"] * 8)


@pytest.mark.parametrize("typed", ["&|!:*()", "   ", "🎹", "--"])
def test_a_query_without_words_needs_no_database(typed: str) -> None:
    assert not build_query(typed).has_words


@pytest.mark.parametrize(
    ("key", "spellings"),
    [
        ("A minor", ["a minor"]),
        ("C# minor", ["c# minor", "db minor"]),
        ("Db minor", ["c# minor", "db minor"]),
        ("bb Major", ["a# major", "bb major"]),
        ("C major", ["c major", "b# major"]),
        ("Cb major", ["cb major", "b major"]),
    ],
)
def test_a_key_filter_matches_every_spelling_of_that_key(key: str, spellings: list[str]) -> None:
    parsed = parse_key(key)
    assert parsed is not None
    assert sorted(key_spellings(parsed)) == sorted(spellings)


def test_filters_become_the_query_parameters_with_none_for_any() -> None:
    assert SearchFilters().args() == (None, None, None, None)
    tempo_key = TempoKeyFilter(bpm_min=80, bpm_max=80, key=Key(9, True))
    filters = SearchFilters(tempo_key=tempo_key, loop=False)
    assert filters.args() == ([80], [80], ["a minor"], False)


def test_half_and_double_time_add_ranges_and_a_key_reaches_its_camelot_neighbours() -> None:
    tempo_key = TempoKeyFilter(
        bpm_min=90, bpm_max=100, half_double=True, key=Key(9, True), key_match="compatible"
    )
    assert tempo_key.tempo_args() == ([90, 180, 45], [100, 200, 50])
    assert TempoKeyFilter(bpm_min=140, half_double=True).tempo_args() == (
        [140, 280, 70],
        [math.inf, math.inf, math.inf],
    )
    view = tempo_key.key_view()
    assert view is not None
    assert [(k["key"], k["camelot"], k["relation"]) for k in view["keys"]] == [
        ("A minor", "8A", "same"),
        ("C major", "8B", "relative"),
        ("E minor", "9A", "fifth"),
        ("D minor", "7A", "fifth"),
    ]
    assert sorted(tempo_key.key_args() or []) == [
        "a minor", "b# major", "c major", "d minor", "e minor", "fb minor"
    ]  # fmt: skip


def test_a_tempo_range_upside_down_is_refused() -> None:
    with pytest.raises(Unprocessable, match="bpm_min must not be greater than bpm_max"):
        TempoKeyFilter(bpm_min=100, bpm_max=90)
