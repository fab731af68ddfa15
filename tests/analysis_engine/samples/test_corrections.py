"""Corrections: a producer's tempo, key ("no key" too) and loop flag win everywhere, the
analysis' values stay visible beside them, re-analysis never overwrites them, and the auditor's
view scores the engine against them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import asyncpg
import httpx

import analysis_engine.analysis
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.stack import Producer

# The worker's own statements, so these tests store analyses exactly as it does.
WORKER_SQL = load_queries(Path(analysis_engine.analysis.__file__).with_name("queries.sql"))


def _add(client: httpx.Client, title: str) -> str:
    response = client.post(
        "/api/samples",
        data={"title": title},
        files={"audio": (f"{title}.wav", audio_bytes(), "audio/wav")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sample_id"])


async def _analyse(
    settings: Settings, user_id: str, sample_id: str, bpm: float | None, key: str | None,
    loop: bool,
) -> None:  # fmt: skip
    """Store an analysis the way the worker does: features, then the sample's facts."""
    tonic, mode = key.split() if key else (None, None)
    features = {"tempo_bpm": bpm, "key": tonic, "mode": mode, "is_loop": loop}
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                WORKER_SQL["store_features"], user_id, sample_id, json.dumps(features),
                [0.0] * 64, 0.4, 0.3, "test", None,
            )  # fmt: skip
            await conn.execute(
                WORKER_SQL["mark_analysed"], sample_id, 0.5, 44100, 1, loop, bpm, key
            )
    finally:
        await pool.close()


def _ids(client: httpx.Client, **params: Any) -> list[str]:
    return [s["id"] for s in client.get("/api/samples", params=params).json()["samples"]]


def test_a_correction_wins_everywhere_and_the_detected_value_stays_visible(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    loop = _add(producer_client, "Keys Loop")
    asyncio.run(_analyse(migrated_db, account.user_id, loop, 46.0, "C major", False))
    before = producer_client.get(f"/api/samples/{loop}").json()
    assert (before["bpm"], before["musical_key"], before["is_loop"]) == (46.0, "C major", False)
    assert before["corrected"] == []

    response = producer_client.patch(
        f"/api/samples/{loop}", json={"bpm": 92, "musical_key": "A minor", "is_loop": True}
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert (after["bpm"], after["musical_key"], after["camelot"], after["is_loop"]) == (
        92.0, "A minor", "8A", True,
    )  # fmt: skip
    assert after["corrected"] == ["bpm", "musical_key", "is_loop"]
    assert after["detected"] == {
        "bpm": 46.0, "musical_key": "C major", "camelot": "8B", "is_loop": False,
        "tempo_confidence": 0.4, "key_confidence": 0.3,
    }  # fmt: skip
    # Lists, filters and search take the corrected values.
    assert _ids(producer_client, bpm_min=90, bpm_max=95) == [loop]
    assert _ids(producer_client, bpm_min=44, bpm_max=48) == []
    assert _ids(producer_client, key="Am") == [loop]
    assert _ids(producer_client, loop=True) == [loop]
    [row] = producer_client.get("/api/samples").json()["samples"]
    assert (row["corrected"], row["detected"]["bpm"]) == (["bpm", "musical_key", "is_loop"], 46.0)
    found = producer_client.get("/api/search", params={"q": "keys", "key": "A minor"}).json()
    assert [r["id"] for r in found["results"]] == [loop]

    # A re-analysis finds 46 BPM in C major again: the producer's values stay.
    assert producer_client.post(f"/api/samples/{loop}/reanalyze").status_code == 202
    asyncio.run(_analyse(migrated_db, account.user_id, loop, 46.0, "C major", False))
    again = producer_client.get(f"/api/samples/{loop}").json()
    assert (again["bpm"], again["musical_key"], again["is_loop"]) == (92.0, "A minor", True)
    assert again["detected"]["bpm"] == 46.0


def test_no_key_is_a_correction_and_reset_goes_back_to_the_analysis(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    kick = _add(producer_client, "Kick")
    asyncio.run(_analyse(migrated_db, account.user_id, kick, 120.0, "G# major", False))
    no_key = producer_client.patch(f"/api/samples/{kick}", json={"musical_key": None}).json()
    assert (no_key["musical_key"], no_key["camelot"], no_key["corrected"]) == (
        None, None, ["musical_key"],
    )  # fmt: skip
    assert no_key["detected"]["musical_key"] == "G# major"
    asyncio.run(_analyse(migrated_db, account.user_id, kick, 120.0, "G# major", False))
    assert producer_client.get(f"/api/samples/{kick}").json()["musical_key"] is None

    doubled = producer_client.patch(f"/api/samples/{kick}", json={"bpm": 240}).json()
    assert (doubled["bpm"], doubled["corrected"]) == (240.0, ["bpm", "musical_key"])
    reset = producer_client.patch(
        f"/api/samples/{kick}", json={"reset": ["bpm", "musical_key"]}
    ).json()
    assert (reset["bpm"], reset["musical_key"], reset["corrected"]) == (120.0, "G# major", [])
    refused = producer_client.patch(f"/api/samples/{kick}", json={"bpm": 90, "reset": ["bpm"]})
    assert refused.status_code == 422
    assert producer_client.patch(f"/api/samples/{kick}", json={"is_loop": None}).status_code == 422


def test_a_key_is_stored_and_answered_in_one_spelling(producer_client: httpx.Client) -> None:
    sample = _add(producer_client, "Pad")
    body = producer_client.patch(f"/api/samples/{sample}", json={"musical_key": "Ab minor"}).json()
    assert (body["musical_key"], body["camelot"]) == ("G# minor", "1A")
    assert _ids(producer_client, key="Ab minor") == [sample]
    assert _ids(producer_client, key="B major", key_match="relative") == [sample]
    assert _ids(producer_client, key="C# minor", key_match="compatible") == [sample]
    assert _ids(producer_client, key="C# minor", key_match="relative") == []
    page = producer_client.get("/api/samples", params={"key": "g#m"}).json()
    assert page["key_filter"]["key"] == "G# minor"
    refused = producer_client.get("/api/samples", params={"key": "H minor"})
    assert refused.status_code == 422


def test_half_and_double_time_in_the_tempo_filter(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    slow = _add(producer_client, "Half")
    asyncio.run(_analyse(migrated_db, account.user_id, slow, 46.0, None, True))
    assert _ids(producer_client, bpm_min=90, bpm_max=94) == []
    assert _ids(producer_client, bpm_min=90, bpm_max=94, half_double=True) == [slow]


async def _accuracy(settings: Settings) -> dict[tuple[str, str], asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_auditor_url)
    try:
        rows = await conn.fetch(
            "select * from app.audit_engine_accuracy where engine_version = 'test'"
        )
    finally:
        await conn.close()
    return {(r["field"], r["engine_version"]): r for r in rows}


def test_the_auditor_counts_how_the_engine_did_against_corrections(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    before = asyncio.run(_accuracy(migrated_db))
    first, second = _add(producer_client, "One"), _add(producer_client, "Two")
    asyncio.run(_analyse(migrated_db, account.user_id, first, 46.0, "C major", True))
    asyncio.run(_analyse(migrated_db, account.user_id, second, 90.0, None, True))
    producer_client.patch(f"/api/samples/{first}", json={"bpm": 92, "musical_key": "A minor"})
    producer_client.patch(f"/api/samples/{second}", json={"bpm": 90.5, "musical_key": "D minor"})
    after = asyncio.run(_accuracy(migrated_db))

    def grew(field: str, column: str) -> int:
        old = before.get((field, "test"))
        return int(after[(field, "test")][column]) - (int(old[column]) if old else 0)

    assert grew("bpm", "corrections") == 2
    assert grew("bpm", "engine_agreed") == 1
    assert grew("bpm", "half_or_double") == 1
    assert grew("musical_key", "corrections") == 2
    assert grew("musical_key", "engine_agreed") == 0
    assert grew("musical_key", "engine_gave_none") == 1
    # The services' role may not read it.
    assert producer_client.get("/api/samples").status_code == 200
