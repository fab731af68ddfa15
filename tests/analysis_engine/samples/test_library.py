"""The library a producer browses: filters, sort, edits, deletion, download and preview."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx

from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.stack import Producer


def _add(client: httpx.Client, title: str, **fields: str) -> str:
    response = client.post(
        "/api/samples",
        data={"title": title, **fields},
        files={"audio": (f"{title}.wav", audio_bytes(), "audio/wav")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sample_id"])


async def _analysed(
    settings: Settings, user_id: str, sample_id: str, bpm: float, key: str, loop: bool
) -> None:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "update app.samples set bpm = $2, musical_key = $3, is_loop = $4,"
                " status = 'ready' where id = $1::uuid",
                sample_id,
                bpm,
                key,
                loop,
            )
    finally:
        await pool.close()


def test_the_list_filters_sorts_and_pages(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    kick = _add(producer_client, "Kick Deep", tags="drums,kick", genre="Boom Bap")
    keys = _add(producer_client, "Rhodes Loop", tags="keys", genre="Jazz")
    hat = _add(producer_client, "Hat 50%_off", tags="drums", genre="Boom Bap")
    asyncio.run(_analysed(migrated_db, account.user_id, keys, 90.0, "A minor", True))
    asyncio.run(_analysed(migrated_db, account.user_id, kick, 140.0, "C major", False))

    page = producer_client.get("/api/samples", params={"limit": 2}).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 0
    assert len(page["samples"]) == 2
    assert set(page["samples"][0]) >= {"id", "filename", "duration", "created_at", "vibe"}

    def ids(**params: object) -> list[str]:
        return [
            s["id"] for s in producer_client.get("/api/samples", params=params).json()["samples"]
        ]

    assert set(ids(tags="drums")) == {kick, hat}
    assert ids(bpm_min=80, bpm_max=100) == [keys]
    # A bound below float32's range (a denormal double) is read as the number it is.
    assert ids(bpm_min=5e-324, bpm_max=100) == [keys]
    assert ids(key="a minor") == [keys]
    assert set(ids(genre="boom bap")) == {kick, hat}
    assert ids(loop=True) == [keys]
    assert ids(analysed=False) == [hat]
    assert ids(q="rhodes") == [keys]
    # Wildcards are literal: "%" only matches a title that contains "%".
    assert ids(q="%") == [hat] and ids(q="50%_") == [hat] and ids(q="k%p") == []
    assert ids(sort="title") == [hat, kick, keys]
    assert ids(sort="bpm")[:2] == [keys, kick]
    past_end = producer_client.get("/api/samples", params={"offset": 10}).json()
    assert past_end["samples"] == [] and past_end["total"] == 3
    assert producer_client.get("/api/samples", params={"sort": "drop table"}).status_code == 422
    assert producer_client.get("/api/samples", params={"limit": 100000}).status_code == 422


def test_edits_and_corrections_show_up(producer_client: httpx.Client) -> None:
    sample = _add(producer_client, "Break")
    edited = producer_client.patch(
        f"/api/samples/{sample}",
        json={
            "title": "Funky Break",
            "tags": ["Drums", "break"],
            "bpm": 96.5,
            "musical_key": "F# minor",
        },
    )
    assert edited.status_code == 200
    body = edited.json()
    assert (body["title"], body["tags"], body["bpm"], body["musical_key"]) == (
        "Funky Break",
        ["drums", "break"],
        96.5,
        "F# minor",
    )
    cleared = producer_client.patch(f"/api/samples/{sample}", json={"bpm": None}).json()
    assert cleared["bpm"] is None and cleared["musical_key"] == "F# minor"
    for bad in ({"bpm": 5000}, {"musical_key": "H major"}, {"title": ""}, {"owner": "me"}):
        assert producer_client.patch(f"/api/samples/{sample}", json=bad).status_code == 422


def test_deleting_a_sample_frees_its_storage_and_file(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    data = audio_bytes(seconds=1.0)
    sample = producer_client.post(
        "/api/samples", files={"audio": ("x.wav", data, "audio/wav")}
    ).json()["sample_id"]
    used = producer_client.get(f"/api/samples/{sample}").json()["size_bytes"]
    assert used == len(data)
    assert producer_client.delete(f"/api/samples/{sample}").status_code == 204
    assert producer_client.get(f"/api/samples/{sample}").status_code == 404
    blob_dir = migrated_db.blobs_dir / "users" / account.user_id / "samples"
    assert not (blob_dir / sample).exists()
    storage = asyncio.run(_storage(migrated_db, account.user_id))
    assert storage == 0


async def _storage(settings: Settings, user_id: str) -> int:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            return int(await conn.fetchval("select storage_bytes from app.usage_counters"))
    finally:
        await pool.close()


def test_preview_streams_support_byte_ranges(producer_client: httpx.Client) -> None:
    data = audio_bytes(seconds=1.0)
    sample = producer_client.post(
        "/api/samples", files={"audio": ("p.wav", data, "audio/wav")}
    ).json()["sample_id"]
    whole = producer_client.get(f"/api/samples/{sample}/stream")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    part = producer_client.get(f"/api/samples/{sample}/stream", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = producer_client.get(f"/api/samples/{sample}/stream", headers={"Range": "bytes=-10"})
    assert tail.content == data[-10:]
    outside = producer_client.get(
        f"/api/samples/{sample}/stream", headers={"Range": f"bytes={len(data) + 5}-"}
    )
    assert outside.status_code == 416
    assert outside.headers["content-range"] == f"bytes */{len(data)}"
    # Several ranges at once are ignored (RFC 9110 section 14.2): the whole file, 200.
    several = producer_client.get(
        f"/api/samples/{sample}/stream", headers={"Range": "bytes=0-9,100-109"}
    )
    assert several.status_code == 200 and several.content == data
    assert "content-range" not in several.headers


def test_job_progress_arrives_as_server_sent_events(producer_client: httpx.Client) -> None:
    with producer_client.stream("GET", "/api/jobs/events", timeout=10) as events:
        sample = _add(producer_client, "Live")
        job = None
        for line in events.iter_lines():
            if line.startswith("data: "):
                job = json.loads(line[len("data: ") :])
                if job["sample_id"] == sample:
                    break
    assert job is not None and job["status"] == "queued" and job["kind"] == "analyze"


def test_reanalysis_is_queued_and_refused_once_the_quota_is_spent(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    sample = _add(producer_client, "Again")
    queued = producer_client.post(f"/api/samples/{sample}/reanalyze")
    assert queued.status_code == 202
    assert queued.json()["status"] == "queued"
    asyncio.run(_spend_analyses(migrated_db, account.user_id))
    refused = producer_client.post(f"/api/samples/{sample}/reanalyze")
    assert refused.status_code == 429
    assert refused.json()["error"]["quota"] == "analyses"
    assert "10 of 10" in refused.json()["error"]["message"]


async def _spend_analyses(settings: Settings, user_id: str) -> None:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute("update app.usage_counters set analyses_used = 10")
    finally:
        await pool.close()


def test_a_collection_can_be_reanalysed_in_one_request(producer_client: httpx.Client) -> None:
    ids = [_add(producer_client, f"Member {i}") for i in range(3)]
    collection = producer_client.post("/api/collections", json={"name": "Redo"}).json()
    producer_client.post(f"/api/collections/{collection['id']}/samples", json={"sample_ids": ids})
    response = producer_client.post(f"/api/collections/{collection['id']}/reanalyze")
    assert response.status_code == 202
    assert response.json()["queued"] == 3
    assert {job["sample_id"] for job in response.json()["jobs"]} == set(ids)
