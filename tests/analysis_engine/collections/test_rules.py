"""Smart rules as data: how each becomes a parameter of the one fixed query."""

from __future__ import annotations

from math import inf
from typing import Any

import pytest
from pydantic import ValidationError

from analysis_engine.collections.rules import SmartRules, query_args

# The parameters of `smart_members`, in order ($1..$10).
PARAMETERS = (
    "genres",
    "bpm_lows",
    "bpm_highs",
    "keys",
    "tags_any",
    "tags_all",
    "tempo",
    "key",
    "loop",
    "text",
)


def _args(**rules: Any) -> dict[str, Any]:
    return dict(zip(PARAMETERS, query_args(SmartRules(**rules)), strict=True))


def test_unused_rules_are_null_parameters() -> None:
    args = _args(loop=True)
    assert args.pop("loop") is True
    assert set(args.values()) == {None}


def test_a_tempo_rule_is_the_library_filters_ranges() -> None:
    args = _args(bpm_min=90, bpm_max=100)
    assert (args["bpm_lows"], args["bpm_highs"]) == ([90], [100])
    args = _args(bpm_min=90, half_double=True)
    assert (args["bpm_lows"], args["bpm_highs"]) == ([90, 180, 45], [inf, inf, inf])
    # A denormal bound halves to zero here, not in PostgreSQL (which refuses it: underflow).
    assert _args(bpm_min=5e-324, half_double=True)["bpm_lows"] == [5e-324, 1e-323, 0.0]


def test_genres_and_tags_are_compared_in_lower_case() -> None:
    args = _args(genres=[" Boom Bap "], tags_any=["Drums"], tags_all=["VINYL", "dusty"])
    assert args["genres"] == ["boom bap"]
    assert args["tags_any"] == ["drums"] and args["tags_all"] == ["vinyl", "dusty"]


def test_a_key_matches_both_of_its_spellings() -> None:
    assert _args(keys=["Db major", "A minor"])["keys"] == ["db major", "c# major", "a minor"]
    assert _args(keys=["F# minor"])["keys"] == ["f# minor", "gb minor"]


@pytest.mark.parametrize(
    ("rules", "tempo", "key"),
    [
        ({"min_confidence": 0.7}, 0.7, 0.7),
        ({"min_confidence": 0.7, "bpm_min": 90}, 0.7, None),
        ({"min_confidence": 0.7, "keys": ["A minor"]}, None, 0.7),
        ({"min_confidence": 0.7, "bpm_max": 90, "keys": ["A minor"]}, 0.7, 0.7),
        ({"bpm_min": 90}, None, None),
    ],
)
def test_min_confidence_applies_to_the_measurements_the_rules_rely_on(
    rules: dict[str, Any], tempo: float | None, key: float | None
) -> None:
    args = _args(**rules)
    assert (args["tempo"], args["key"]) == (tempo, key)


def test_text_is_matched_literally() -> None:
    assert _args(text="50%_off\\")["text"] == "50\\%\\_off\\\\"


@pytest.mark.parametrize(
    "rules",
    [{}, {"bpm_min": 140, "bpm_max": 120}, {"vibe": "dark"}, {"keys": ["E phrygian"]}],
)
def test_empty_contradictory_or_unknown_rules_are_refused(rules: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SmartRules(**rules)


def test_stored_rules_leave_out_what_is_unused() -> None:
    assert SmartRules(bpm_min=90, loop=False).stored() == {"bpm_min": 90.0, "loop": False}
