"""Text search narrowed by tempo, key and loop/one-shot on the server, and a search document that
follows every edit of a sample and its vibe."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.analysis_engine.search.seed import Seeder
from tests.analysis_engine.search.test_text_search import search, titles
from tests.stack import Producer

# The library's samples by a short name.
NAMES = {
    "84": "Dusty Loop 84",
    "90": "Dusty Loop 90",
    "Shot 90": "Dusty Shot 90",
    "100": "Dusty Loop 100",
    "Unanalysed": "Dusty Unanalysed",
    "140": "Dusty Loop 140",
}


@pytest.fixture(scope="module")
def library(shared_producer: Producer, seeder: Seeder) -> Producer:
    """Six "dusty" samples with known tempos, keys and types, and one that is not dusty."""
    user = shared_producer.user_id
    for title, bpm, key, loop in [
        ("Dusty Loop 84", 84.0, "A minor", True),
        ("Dusty Loop 90", 90.0, "C# minor", True),
        ("Dusty Shot 90", 90.0, "Db minor", False),
        ("Dusty Loop 100", 100.0, "C major", True),
        ("Dusty Unanalysed", None, None, None),
        ("Dusty Loop 140", 140.0, "A minor", True),
    ]:
        seeder.sample(user, title, bpm=bpm, key=key, loop=loop, vibe="A dusty, crackly take.")
    seeder.sample(user, "Clean Loop 90", bpm=90.0, key="A minor", loop=True, vibe="Pristine.")
    return shared_producer


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["84", "90", "Shot 90", "100", "Unanalysed", "140"]),
        ({"bpm_min": 85, "bpm_max": 100}, ["90", "Shot 90", "100"]),
        ({"bpm_min": 100}, ["100", "140"]),
        ({"bpm_max": 84}, ["84"]),
        ({"bpm_min": 90, "bpm_max": 90}, ["90", "Shot 90"]),
        ({"key": "A minor"}, ["84", "140"]),
        ({"key": "a Minor"}, ["84", "140"]),
        ({"key": "Db minor"}, ["90", "Shot 90"]),
        ({"key": "C# minor"}, ["90", "Shot 90"]),
        ({"key": "B# major"}, ["100"]),
        ({"key": "F major"}, []),
        ({"loop": True}, ["84", "90", "100", "140"]),
        ({"loop": False}, ["Shot 90"]),
        ({"bpm_min": 80, "bpm_max": 95, "key": "C# minor", "loop": True}, ["90"]),
        ({"key": "Am"}, ["84", "140"]),
        ({"bpm_min": 42, "bpm_max": 45, "half_double": True}, ["84", "90", "Shot 90"]),
        ({"bpm_min": 68, "bpm_max": 72, "half_double": True}, ["140"]),
        ({"key": "A minor", "key_match": "relative"}, ["84", "100", "140"]),
        ({"key": "E major", "key_match": "relative"}, ["90", "Shot 90"]),
        ({"key": "F# minor", "key_match": "compatible"}, ["90", "Shot 90"]),
        ({"key": "G major", "key_match": "compatible"}, ["100"]),
        ({"key": "C major", "key_match": "compatible"}, ["84", "100", "140"]),
    ],
)
def test_filters_narrow_the_matches_and_the_total_counts_only_what_passes(
    shared_client: httpx.Client, library: Producer, filters: dict[str, Any], expected: list[str]
) -> None:
    body = search(shared_client, "dusty", **filters)

    assert sorted(titles(body)) == sorted(NAMES[name] for name in expected)
    assert body["total"] == len(expected)


def test_a_key_filter_answers_its_keys_in_one_spelling_with_camelot_numbers(
    shared_client: httpx.Client, library: Producer
) -> None:
    body = search(shared_client, "dusty", key="Db minor", key_match="compatible")

    assert {r["musical_key"] for r in body["results"]} == {"C# minor"}
    assert {r["camelot"] for r in body["results"]} == {"12A"}
    assert body["key_filter"] == {
        "key": "C# minor",
        "camelot": "12A",
        "match": "compatible",
        "keys": [
            {"key": "C# minor", "camelot": "12A", "relation": "same"},
            {"key": "E major", "camelot": "12B", "relation": "relative"},
            {"key": "G# minor", "camelot": "1A", "relation": "fifth"},
            {"key": "F# minor", "camelot": "11A", "relation": "fifth"},
        ],
    }


def test_filtered_pages_are_bounded_and_carry_the_filtered_total(
    shared_client: httpx.Client, library: Producer
) -> None:
    first = search(shared_client, "dusty", loop="true", limit=3)
    rest = search(shared_client, "dusty", loop="true", limit=3, offset=3)

    assert (first["total"], rest["total"]) == (4, 4)
    assert len(first["results"]) == 3 and len(rest["results"]) == 1
    assert all(r["is_loop"] is True for r in first["results"] + rest["results"])


@pytest.mark.parametrize(
    "params",
    [
        {"bpm_min": 120, "bpm_max": 90},
        {"bpm_min": -1},
        {"bpm_max": 1001},
        {"bpm_min": "fast"},
        {"bpm_min": "nan"},
        {"bpm_max": "inf"},
        {"key": "H minor"},
        {"key": "A dorian"},
        {"key": "A minor'; --"},
        {"loop": "sometimes"},
    ],
)
def test_bad_filters_are_refused_with_422(
    shared_client: httpx.Client, library: Producer, params: dict[str, Any]
) -> None:
    refused = shared_client.get("/api/search", params={"q": "dusty", **params})

    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "validation_error"


def test_filtered_search_never_shows_another_producers_samples(
    client: httpx.Client, account: Producer, rival: Producer, seeder: Seeder
) -> None:
    seeder.sample(rival.user_id, "Their flute", bpm=90.0, key="A minor", loop=True, vibe="Flute.")
    seeder.sample(account.user_id, "My flute", bpm=90.0, key="A minor", loop=True, vibe="Flute.")

    body = search(client, "flute", bpm_min=85, bpm_max=95, key="A minor", loop="true")

    assert titles(body) == ["My flute"]
    assert body["total"] == 1


def test_the_search_follows_edits_of_the_sample_and_of_its_vibe(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    user = account.user_id
    sample_id = seeder.sample(user, "Take one", tags=["guitar"], vibe="A mellow nylon guitar.")
    assert titles(search(client, "nylon")) == ["Take one"]

    renamed = client.patch(f"/api/samples/{sample_id}", json={"title": "Bossa strum"})
    assert renamed.status_code == 200, renamed.text
    assert titles(search(client, "bossa")) == ["Bossa strum"]
    assert search(client, "take")["total"] == 0
    assert titles(search(client, "nylon")) == ["Bossa strum"]  # the vibe's words stay

    seeder.execute(
        user,
        "update app.vibe_analyses set description = 'A bright steel-string guitar.'"
        " where sample_id = $1::uuid",
        sample_id,
    )
    assert titles(search(client, "steel")) == ["Bossa strum"]
    assert search(client, "nylon")["total"] == 0

    seeder.execute(user, "delete from app.vibe_analyses where sample_id = $1::uuid", sample_id)
    assert search(client, "steel")["total"] == 0
    assert titles(search(client, "guitar bossa")) == ["Bossa strum"]

    assert client.delete(f"/api/samples/{sample_id}").status_code == 204
    assert search(client, "bossa")["total"] == 0
