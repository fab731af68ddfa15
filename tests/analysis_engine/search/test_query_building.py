"""How a typed query becomes the search SQL's arguments: prefixes for plain words, and the cheap
pre-test only where it cannot drop a match."""

from __future__ import annotations

import pytest

from analysis_engine.search.text_search import build_query


@pytest.mark.parametrize(
    ("typed", "prefix_all", "words_any"),
    [
        ("dus", "dus:*", "dus"),
        ("Dusty Rho", "dusty:* & rho:*", "Dusty or Rho"),
        ("lo-fi", None, "lo-fi"),
        ("nostalgic or punchy", "nostalgic:* & punchy:*", "nostalgic or punchy"),
        ('"warm tape"', None, "warm or tape"),
        ("a", None, "a"),
        ("dusty -rhodes", None, None),
        ("-dusty", None, None),
        ("über", None, None),
        ("'; drop table", None, None),
        ("or", None, None),
    ],
)
def test_plain_words_get_prefixes_and_a_pre_test_while_others_go_without(
    typed: str, prefix_all: str | None, words_any: str | None
) -> None:
    query = build_query(typed)

    assert query.prefix_all == prefix_all
    assert query.words_any == words_any


def test_nul_characters_and_surrounding_blanks_are_dropped() -> None:
    assert build_query("  a\x00b  ").text == "a b"


def test_many_words_get_no_prefixes_and_too_many_no_pre_test() -> None:
    assert build_query(" ".join(["kick"] * 9)).prefix_all is None
    assert build_query(" ".join(["kick"] * 65)).words_any is None


@pytest.mark.parametrize("typed", ["&|!:*()", "   ", "🎹", "--"])
def test_a_query_without_words_needs_no_database(typed: str) -> None:
    assert not build_query(typed).has_words
