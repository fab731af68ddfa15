"""Large files go straight to storage with a presigned URL, then complete like any upload."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import asyncpg
import httpx

from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up


def _local(url: str, engine_url: str) -> str:
    # The URL names the public host (the gateway); in this test the engine serves it directly.
    parts = urlsplit(url)
    return f"{engine_url}{parts.path}?{parts.query}"


def test_a_presigned_upload_becomes_a_sample(
    producer_client: httpx.Client, engine_url: str
) -> None:
    data = audio_bytes("flac", seconds=2.0)
    started = producer_client.post(
        "/api/samples/uploads",
        json={
            "filename": "big.flac",
            "size": len(data),
            "content_type": "audio/flac",
            "tags": "big",
        },
    )
    assert started.status_code == 201, started.text
    grant = started.json()
    put = httpx.request(
        grant["method"],
        _local(grant["url"], engine_url),
        auth=as_gateway(),
        content=data,
        headers=grant["headers"],
    )
    assert put.status_code in (200, 201, 204), put.text
    done = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 201, done.text
    sample = producer_client.get(f"/api/samples/{done.json()['sample_id']}").json()
    assert sample["format"] == "flac" and sample["tags"] == ["big"]
    assert producer_client.get(f"/api/samples/{sample['id']}/download").content == data
    again = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert again.status_code == 404


def test_a_presigned_url_refuses_more_than_was_declared(
    producer_client: httpx.Client, engine_url: str
) -> None:
    data = audio_bytes("wav", seconds=1.0)
    grant = producer_client.post(
        "/api/samples/uploads",
        json={"filename": "x.wav", "size": 1000, "content_type": "audio/wav"},
    ).json()
    put = httpx.request(
        grant["method"],
        _local(grant["url"], engine_url),
        auth=as_gateway(),
        content=data,
        headers=grant["headers"],
    )
    assert put.status_code in (403, 413)
    done = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 422


def test_completing_before_uploading_or_with_junk_is_refused(
    producer_client: httpx.Client, engine_url: str
) -> None:
    junk = b"definitely not audio " * 50
    grant = producer_client.post(
        "/api/samples/uploads",
        json={"filename": "junk.wav", "size": len(junk), "content_type": "audio/wav"},
    ).json()
    early = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert early.status_code == 422
    httpx.request(
        grant["method"],
        _local(grant["url"], engine_url),
        auth=as_gateway(),
        content=junk,
        headers=grant["headers"],
    )
    refused = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert refused.status_code == 415
    assert producer_client.get("/api/samples").json()["total"] == 0


def test_someone_elses_upload_cannot_be_completed(
    producer_client: httpx.Client, api: httpx.Client, mailbox: Mailbox, engine_url: str
) -> None:
    grant = producer_client.post(
        "/api/samples/uploads",
        json={"filename": "mine.wav", "size": 100, "content_type": "audio/wav"},
    ).json()
    other = signed_up(api, mailbox)
    stolen = httpx.post(
        f"{engine_url}/api/samples/uploads/{grant['upload_id']}/complete",
        auth=as_gateway(),
        headers=other.auth,
    )
    assert stolen.status_code == 404


def test_a_declared_size_over_the_quota_is_refused_up_front(producer_client: httpx.Client) -> None:
    response = producer_client.post(
        "/api/samples/uploads",
        json={"filename": "huge.wav", "size": 200 * 1024 * 1024, "content_type": "audio/wav"},
    )
    assert response.status_code == 429
    assert response.json()["error"]["quota"] == "storage"
    assert "Retry-After" not in response.headers


def test_abandoned_direct_uploads_never_block_other_uploads_and_can_be_cancelled(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    # Free allows one upload at a time: a started-but-never-sent direct upload must not hold it.
    grant = producer_client.post(
        "/api/samples/uploads",
        json={"filename": "later.wav", "size": 1000, "content_type": "audio/wav"},
    ).json()
    streamed = producer_client.post(
        "/api/samples", files={"audio": ("now.wav", audio_bytes(), "audio/wav")}
    )
    assert streamed.status_code == 201, streamed.text
    assert producer_client.delete(f"/api/samples/uploads/{grant['upload_id']}").status_code == 204
    assert (
        producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete").status_code
        == 404
    )
    state = asyncio.run(_counters(migrated_db, account.user_id))
    assert state == {"reserved_bytes": 0, "active_uploads": 0}


async def _counters(settings: Settings, user_id: str) -> dict[str, int]:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            row = await conn.fetchrow(
                "select reserved_bytes, active_uploads from app.usage_counters"
            )
            return dict(row)
    finally:
        await pool.close()
