"""Reading a model's JSON answer: what is salvaged, what counts as malformed."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from analysis_engine.vibe import VibeResult
from analysis_engine.vibe.reply import Usage, parse_reply, parse_usage


@pytest.mark.parametrize(
    "content",
    [
        "",
        "The loop is chill.",
        "{'description': 'single quotes'}",
        '["a", "list"]',
        '{"description": ""}',
        '{"description": 42}',
        '{"moods": ["chill"]}',
        '```json\n{"description": "cut off',
    ],
)
def test_replies_without_a_usable_description_are_malformed(content: str) -> None:
    assert parse_reply(content) is None


@pytest.mark.parametrize(
    "content",
    [
        '{"description": "Warm keys."}',
        '```json\n{"description": "Warm keys."}\n```',
        '```\n{"description": "Warm keys."}\n```',
        'Sure! {"description": "Warm keys."} Hope that helps.',
        '{"description": "  Warm\\n keys. ", "unrelated": {"deep": [1, 2]}}',
    ],
)
def test_the_json_object_is_found_wherever_the_model_put_it(content: str) -> None:
    reply = parse_reply(content)

    assert reply is not None and reply.description == "Warm keys."


def test_a_description_keeps_at_most_two_sentences() -> None:
    reply = parse_reply(json.dumps({"description": "One. Two! Three? Four."}))

    assert reply is not None and reply.description == "One. Two!"


@pytest.mark.parametrize(("era", "stored"), [("Unknown", None), ("N/A", None), ("1970s.", "1970s")])
def test_placeholder_labels_are_read_as_unknown(era: str, stored: str | None) -> None:
    reply = parse_reply(json.dumps({"description": "x", "era": era, "genre": "none"}))

    assert reply is not None and (reply.era, reply.genre) == (stored, None)


def test_duplicate_list_entries_are_dropped_keeping_order() -> None:
    reply = parse_reply(json.dumps({"description": "x", "moods": ["Chill", "chill ", "dark"]}))

    assert reply is not None and reply.moods == ("chill", "dark")


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"total_tokens": 10, "cost": 0.0012345678}, Usage(10, Decimal("0.001235"))),
        ({"prompt_tokens": 7, "completion_tokens": 3}, Usage(10, None)),
        ({"total_tokens": "ten", "cost": "free"}, Usage(None, None)),
        ({"total_tokens": 5, "cost": -1}, Usage(5, None)),
        (None, Usage(None, None)),
    ],
)
def test_usage_reads_tokens_and_cost_and_ignores_nonsense(usage: object, expected: Usage) -> None:
    assert parse_usage({"usage": usage}) == expected


def test_usages_add_up_and_unknown_stays_unknown() -> None:
    assert Usage(3, Decimal("0.1")) + Usage(4, None) == Usage(7, Decimal("0.1"))
    assert Usage() + Usage() == Usage()


@pytest.mark.parametrize(
    "changes",
    [
        {"moods": ("m",) * 7},
        {"descriptors": ("d",) * 9},
        {"compatibility_tags": ("t",) * 9},
        {"energy": 1.5},
        {"energy": float("nan")},
        {"description": ""},
        {"description": "x" * 301},
        {"tokens_used": -1},
        {"source": "guess"},
    ],
)
def test_a_result_outside_the_limits_cannot_be_built(changes: dict[str, object]) -> None:
    values: dict[str, object] = {
        "model": "m",
        "description": "Warm keys.",
        "moods": (),
        "era": None,
        "genre": None,
        "energy": 0.5,
        "descriptors": (),
        "compatibility_tags": (),
        "best_use": None,
        "tokens_used": None,
        "cost_usd": None,
        "source": "local",
    }
    with pytest.raises(ValueError):
        VibeResult(**{**values, **changes})  # type: ignore[arg-type]
