"""Text ("vibe") search through the running engine: Postgres full-text search over titles, tags,
genres and vibes, best match first, in the caller's library only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.analysis_engine.search.seed import Seeder
from tests.stack import Producer


def search(client: httpx.Client, q: str, **params: Any) -> dict[str, Any]:
    """The search answer, failing loudly on anything but 200."""
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(body: dict[str, Any]) -> list[str]:
    return [result["title"] for result in body["results"]]


@pytest.fixture(scope="module")
def library(shared_producer: Producer, seeder: Seeder) -> Producer:
    """A small library with words in every searchable place (the module's tests only read it)."""
    account = shared_producer
    seeder.sample(
        account.user_id,
        "Rainy Rhodes",
        tags=["keys", "lofi"],
        genre="lo-fi hip hop",
        vibe="A melancholic electric piano, warm tape hiss and a slow swing.",
        moods=["melancholic", "nostalgic"],
        descriptors=["warm", "dusty"],
    )
    seeder.sample(
        account.user_id,
        "Kick 07",
        tags=["drums", "punchy"],
        genre="trap",
        vibe="A hard, distorted 808 kick with a long tail.",
        moods=["aggressive"],
        descriptors=["punchy", "distorted"],
    )
    seeder.sample(account.user_id, "Crate find", tags=["vinyl", "soul"], genre="soul")
    return account


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("melancholic", ["Rainy Rhodes"]),
        ("tape hiss", ["Rainy Rhodes"]),
        ("aggressive", ["Kick 07"]),
        ("vinyl", ["Crate find"]),
        ("rhodes", ["Rainy Rhodes"]),
        ("trap", ["Kick 07"]),
        ("drum", ["Kick 07"]),
        ("lo-fi", ["Rainy Rhodes"]),
        ("rhodes melancholic", ["Rainy Rhodes"]),
        ("distorted kicks", ["Kick 07"]),
        ('"warm tape"', ["Rainy Rhodes"]),
        ("dusty -rhodes", []),
        ("nostalgic or punchy", ["Kick 07", "Rainy Rhodes"]),
        ("spaceship", []),
    ],
)
def test_text_search_finds_samples_by_vibe_words_tags_titles_and_genre(
    shared_client: httpx.Client, library: Producer, q: str, expected: list[str]
) -> None:
    body = search(shared_client, q)

    assert sorted(titles(body)) == sorted(expected)
    assert body["total"] == len(expected)


def test_a_partly_typed_word_finds_the_sample(
    shared_client: httpx.Client, library: Producer
) -> None:
    assert titles(search(shared_client, "melanch")) == ["Rainy Rhodes"]
    assert titles(search(shared_client, "Crat")) == ["Crate find"]


def test_results_carry_the_sample_fields_the_vibe_and_a_rank(
    shared_client: httpx.Client, library: Producer
) -> None:
    [result] = search(shared_client, "aggressive")["results"]

    assert result["title"] == "Kick 07"
    assert result["tags"] == ["drums", "punchy"]
    assert result["vibe"].startswith("A hard, distorted 808 kick")
    assert result["rank"] > 0
    assert set(result) >= {"id", "filename", "duration", "bpm", "musical_key", "status"}


def test_better_matches_rank_first(client: httpx.Client, account: Producer, seeder: Seeder) -> None:
    seeder.sample(
        account.user_id, "Pad one", vibe="An airy pad; somewhere in the back, a dusty shaker."
    )
    seeder.sample(
        account.user_id,
        "Dusty break",
        tags=["dusty"],
        vibe="A dusty drum break, dusty and crackly.",
        descriptors=["dusty"],
    )
    seeder.sample(account.user_id, "Dusty chop", vibe="A chopped soul vocal.")

    body = search(client, "dusty")

    assert titles(body) == ["Dusty break", "Dusty chop", "Pad one"]
    ranks = [r["rank"] for r in body["results"]]
    assert ranks == sorted(ranks, reverse=True)
    assert ranks[0] > ranks[1] > ranks[2]


def test_text_search_never_shows_another_producers_samples(
    client: httpx.Client, account: Producer, rival: Producer, seeder: Seeder
) -> None:
    seeder.sample(rival.user_id, "Their secret flute", tags=["flute"], vibe="A breathy flute.")
    seeder.sample(account.user_id, "My flute", vibe="A flute, slightly out of tune.")

    body = search(client, "flute")

    assert titles(body) == ["My flute"]
    assert body["total"] == 1


def test_pages_are_bounded_and_carry_the_total(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    for i in range(5):
        seeder.sample(account.user_id, f"Snare {i}", tags=["snare"])

    first = search(client, "snare", limit=2)
    rest = search(client, "snare", limit=2, offset=2)
    beyond = search(client, "snare", limit=2, offset=50)

    assert (first["total"], rest["total"], beyond["total"]) == (5, 5, 5)
    assert len(first["results"]) == 2 and len(rest["results"]) == 2 and beyond["results"] == []
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in rest["results"]}
    assert client.get("/api/search", params={"q": "snare", "limit": 101}).status_code == 422
    assert client.get("/api/search", params={"q": "snare", "offset": -1}).status_code == 422


@pytest.mark.parametrize(
    "q",
    [
        "'; drop table app.samples; --",
        "&|!:*()",
        "dus:* & !",
        "(((",
        '"',
        "x" * 1000,
        "word " * 200,
        "über café 日本語 🎹",
        "a\x00b",
        "<script>alert(1)</script>",
        "\\",
        "   ",
        "or or -- - !",
    ],
)
def test_hostile_queries_answer_without_a_server_error(
    shared_client: httpx.Client, library: Producer, q: str
) -> None:
    body = search(shared_client, q)

    assert body["results"] == [] and body["total"] == 0


def test_queries_past_the_length_limit_or_empty_are_refused_with_422(
    shared_client: httpx.Client, library: Producer
) -> None:
    assert shared_client.get("/api/search", params={"q": "x" * 1001}).status_code == 422
    assert shared_client.get("/api/search", params={"q": ""}).status_code == 422
    assert shared_client.get("/api/search").status_code == 422


def test_the_library_is_intact_after_an_injection_attempt(
    shared_client: httpx.Client, library: Producer
) -> None:
    search(shared_client, "'); delete from app.samples where ('1'='1")

    assert titles(search(shared_client, "rhodes")) == ["Rainy Rhodes"]
