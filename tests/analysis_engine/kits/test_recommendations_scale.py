"""Recommendations rank the whole library (not its newest 5,000 samples) from a role index that
follows every change to the library."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from sp404.core.settings import Settings
from tests.stack import Producer


async def _newer_textures(
    settings: Settings,
    user_id: str,
    count: int,
    *,
    title: str = "Vinyl Texture",
    tags: tuple[str, ...] = ("texture",),
    duration: float = 6.0,
) -> None:
    """`count` samples newer than any seeded so far, "<title> 1" .. "<title> <count>"."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", user_id)
            await conn.execute(
                "insert into app.samples (user_id, title, filename, format, size_bytes, sha256,"
                " blob_key, tags, duration_s, is_loop, status, created_at)"
                " select $1::uuid, $3 || ' ' || g, 'v' || g || '.wav', 'wav', 1000,"
                " md5(g::text || $1::uuid::text), 'users/test/x', $4, $5, false, 'ready',"
                " now() + make_interval(secs => g)"
                " from generate_series(1, $2) g",
                uuid.UUID(user_id),
                count,
                title,
                list(tags),
                duration,
            )
    finally:
        await conn.close()


def test_a_kick_older_than_5000_newer_samples_is_still_suggested_and_a_new_one_joins(
    client: httpx.Client,
    account: Producer,
    migrated_db: Settings,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    seed_library(account, [{"title": "Kick Old", "duration": 0.4, "loop": False}])
    asyncio.run(_newer_textures(migrated_db, account.user_id, 5_001))
    kit_id = client.post("/api/kits", json={"name": "Deep library"}).json()["id"]
    url = f"/api/kits/{kit_id}/recommendations"
    kick = client.get(url, params={"pad": 13})
    assert kick.status_code == 200, kick.text
    assert [r["sample"]["title"] for r in kick.json()["results"]] == ["Kick Old"]
    textures = client.get(url, params={"pad": 5, "limit": 3}).json()["results"]
    # Ties keep the library's order: the newest textures first.
    assert [r["sample"]["title"] for r in textures] == [
        "Vinyl Texture 5001",
        "Vinyl Texture 5000",
        "Vinyl Texture 4999",
    ]
    [new] = seed_library(account, [{"title": "Kick New", "duration": 0.4, "loop": False}])
    again = client.get(url, params={"pad": 13}).json()["results"]
    assert sorted(r["sample"]["title"] for r in again) == ["Kick New", "Kick Old"]
    # An edit and a deletion reach the index too (it is refreshed, not rebuilt): named an open
    # hat, the sample suits pad 16, which it did not before.
    hats = client.get(url, params={"pad": 16}).json()["results"]
    assert "Kick New" not in [r["sample"]["title"] for r in hats]
    renamed = client.patch(f"/api/samples/{new}", json={"title": "Open Hat New"})
    assert renamed.status_code == 200, renamed.text
    hats = client.get(url, params={"pad": 16}).json()["results"]
    assert "Open Hat New" in [r["sample"]["title"] for r in hats]
    assert client.delete(f"/api/samples/{new}").status_code == 204
    hats = client.get(url, params={"pad": 16}).json()["results"]
    assert "Open Hat New" not in [r["sample"]["title"] for r in hats]


def test_completing_a_kit_finds_a_kick_older_than_5000_newer_samples(
    client: httpx.Client,
    account: Producer,
    migrated_db: Settings,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    seed_library(account, [{"title": "Kick Buried", "duration": 0.4, "loop": False}])
    asyncio.run(_newer_textures(migrated_db, account.user_id, 5_001))
    [snare] = seed_library(account, [{"title": "Snare Seed", "duration": 0.3, "loop": False}])
    kit_id = client.post("/api/kits", json={"name": "Complete deep"}).json()["id"]
    done = client.post(f"/api/kits/{kit_id}/complete", json={"sample_id": snare, "bank": "A"})
    assert done.status_code == 200, done.text
    titles = {pad["pad"]: pad["sample"]["title"] for pad in done.json()["pads"]}
    assert "Kick Buried" in titles.values()
    assert "Snare Seed" in titles.values()
    # The texture pads take the newest textures, as a whole-library ranking's ties do.
    assert "Vinyl Texture 5001" in titles.values()


def test_a_kit_from_a_sentence_places_its_best_match_behind_5000_newer_matches(
    client: httpx.Client,
    account: Producer,
    migrated_db: Settings,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    # The old kick matches both words of "dusty kick"; 5,001 newer kicks match one. Reading the
    # newest 5,000 rows found only those; the whole library's word matches find the old one.
    seed_library(account, [{"title": "Old Thump", "duration": 0.4, "loop": False,
                            "tags": ["dusty", "kick"]}])  # fmt: skip
    asyncio.run(
        _newer_textures(
            migrated_db, account.user_id, 5_001, title="Clean Hit", tags=("kick",), duration=0.4
        )
    )
    built = client.post("/api/kits/auto", json={"name": "Dusty deep", "prompt": "dusty kick"})
    assert built.status_code == 201, built.text
    kit = built.json()
    assert kit["understood"]["words"] == ["dusty", "kick"]
    titles = {pad["label"]: pad["sample"]["title"] for pad in kit["pads"]}
    assert titles["A-13"] == "Old Thump"
    # Words alone ("dusty") reach it too, and nothing newer matches them.
    dusty = client.post("/api/kits/auto", json={"name": "Dusty only", "prompt": "dusty"}).json()
    assert [pad["sample"]["title"] for pad in dusty["pads"]] == ["Old Thump"]
    # A word text search ignores ("over") matches nothing and breaks nothing.
    over = client.post("/api/kits/auto", json={"name": "Over", "prompt": "dusty kick over"})
    assert over.status_code == 201, over.text
    assert {p["label"]: p["sample"]["title"] for p in over.json()["pads"]}["A-13"] == "Old Thump"
