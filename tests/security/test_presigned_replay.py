"""Attacks on direct-upload URLs: replaying one after its upload was completed, cancelled or its
sample deleted must neither change a sample nor store bytes that no quota counts.

Local store: the engine's /blobs PUT refuses every write outside an open upload and any second
write. S3 (a real moto server): a presigned URL cannot be revoked, so it writes only to a
staging key that no sample uses, and the sweeper removes what it wrote.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from analysis_engine.samples.staging import sweep_staging
from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from sp404.storage import S3BlobStore
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up, start_service, stop
from tests.support.s3 import engine_s3_env, moto_bucket

MB = 1024 * 1024
FREE_LIMIT = 100 * MB
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _local(url: str, engine_url: str) -> str:
    # The URL names the public host (the gateway); here the engine serves it directly.
    parts = urlsplit(url)
    return f"{engine_url}{parts.path}?{parts.query}"


def _same_length(body: bytes, size: int) -> bytes:
    # S3 signs Content-Length: a replay must have exactly the declared size.
    return (body * (size // len(body) + 1))[:size]


def _start(client: httpx.Client, data_size: int, name: str = "x.wav") -> dict[str, Any]:
    started = client.post(
        "/api/samples/uploads",
        json={"filename": name, "size": data_size, "content_type": "audio/wav"},
    )
    assert started.status_code == 201, started.text
    grant: dict[str, Any] = started.json()
    return grant


def _put(grant: dict[str, Any], body: bytes, base: str | None = None) -> httpx.Response:
    if base is None:  # S3: the URL's own signature is all the bucket asks for
        return httpx.request(
            grant["method"], grant["url"], content=body, headers=grant["headers"], timeout=30
        )
    # The local store's /blobs route is the engine's: reached as the gateway would.
    return httpx.request(
        grant["method"],
        _local(grant["url"], base),
        auth=as_gateway(),
        content=body,
        headers=grant["headers"],
        timeout=30,
    )


async def _with_pool(settings: Settings, user_id: str, sql: str, *args: Any) -> Any:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, uuid.UUID(user_id)) as conn:
            return await conn.fetchval(sql, *args)
    finally:
        await pool.close()


def _counted(settings: Settings, user_id: str) -> int:
    return int(
        asyncio.run(_with_pool(settings, user_id, "select storage_bytes from app.usage_counters"))
    )


def _preset_usage(settings: Settings, user_id: str, used: int) -> None:
    asyncio.run(
        _with_pool(settings, user_id, "update app.usage_counters set storage_bytes = $1", used)
    )


# -- the local store ---------------------------------------------------------------------------


@pytest.fixture
def producer_client(engine_url: str, account: Producer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=account.auth, timeout=30
    ) as client:
        yield client


def _files(settings: Settings, user_id: str) -> dict[str, int]:
    """Every file under the user's folder, hidden temp files and sidecars included."""
    root = settings.blobs_dir / "users" / user_id
    return {
        path.relative_to(root).as_posix(): path.stat().st_size
        for path in root.rglob("*")
        if path.is_file() and not path.name.endswith(".type")
    }


def test_local_replay_after_complete_cannot_replace_the_checked_file(
    producer_client: httpx.Client, engine_url: str, account: Producer, migrated_db: Settings
) -> None:
    wav = audio_bytes("wav", seconds=1.0)
    grant = _start(producer_client, len(wav))
    assert _put(grant, wav, engine_url).status_code == 200
    done = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 201, done.text
    sample_id = done.json()["sample_id"]

    replay = _put(grant, HTML, engine_url)
    assert replay.status_code == 403, replay.text

    sample = producer_client.get(f"/api/samples/{sample_id}").json()
    served = producer_client.get(f"/api/samples/{sample_id}/download")
    assert served.content == wav
    assert sample["size_bytes"] == len(wav)
    assert hashlib.sha256(served.content).hexdigest() == done.json()["sha256"]
    assert _files(migrated_db, account.user_id) == {f"samples/{sample_id}": len(wav)}


def test_local_second_put_before_complete_is_refused(
    producer_client: httpx.Client, engine_url: str, account: Producer, migrated_db: Settings
) -> None:
    wav = audio_bytes("wav", seconds=1.0)
    grant = _start(producer_client, len(wav))
    assert _put(grant, wav, engine_url).status_code == 200
    assert _put(grant, _same_length(HTML, len(wav)), engine_url).status_code == 409
    done = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 201, done.text
    assert producer_client.get(f"/api/samples/{done.json()['sample_id']}/download").content == wav


def test_local_replay_after_cancel_never_stores_past_the_quota(
    producer_client: httpx.Client, engine_url: str, account: Producer, migrated_db: Settings
) -> None:
    # The reported attack: a Free producer at 94.4 MB reserves 5 MB, cancels, PUTs three times.
    preset = FREE_LIMIT - int(5.6 * MB)
    _preset_usage(migrated_db, account.user_id, preset)
    grant = _start(producer_client, 5 * MB, "big.wav")
    assert producer_client.delete(f"/api/samples/uploads/{grant['upload_id']}").status_code == 204
    body = b"\0" * (5 * MB)
    answers = [_put(grant, body, engine_url).status_code for _ in range(3)]
    assert answers == [403, 403, 403]
    assert _files(migrated_db, account.user_id) == {}
    assert _counted(migrated_db, account.user_id) == preset


def test_local_replay_after_the_sample_was_deleted_recreates_nothing(
    producer_client: httpx.Client, engine_url: str, account: Producer, migrated_db: Settings
) -> None:
    wav = audio_bytes("wav", seconds=0.5)
    grant = _start(producer_client, len(wav))
    assert _put(grant, wav, engine_url).status_code == 200
    done = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 201, done.text
    assert producer_client.delete(f"/api/samples/{done.json()['sample_id']}").status_code == 204
    assert _put(grant, wav, engine_url).status_code == 403
    assert _files(migrated_db, account.user_id) == {}
    assert _counted(migrated_db, account.user_id) == 0


def test_local_upload_url_cannot_write_a_sample_key(
    producer_client: httpx.Client, engine_url: str, account: Producer
) -> None:
    grant = _start(producer_client, 100)
    path = urlsplit(grant["url"]).path
    assert path.startswith(f"/blobs/users/{account.user_id}/staging/")
    assert "/samples/" not in path


# -- S3 (a real moto server) -------------------------------------------------------------------

BUCKET = "sp404-replay-tests"
KEYS = {"aws_access_key_id": "AKIDREPLAYTESTS", "aws_secret_access_key": "replay-tests-secret"}


@pytest.fixture(scope="module")
def s3() -> Iterator[tuple[str, Any]]:
    with moto_bucket(BUCKET, KEYS) as server:
        yield server


@pytest.fixture(scope="module")
def s3_engine(migrated_db: Settings, platform_url: str, s3: tuple[str, Any]) -> Iterator[str]:
    url, process = start_service(
        "engine",
        migrated_db,
        SP404_PLATFORM_URLS=f'["{platform_url}"]',
        **engine_s3_env(s3[0], BUCKET, KEYS),
        # The engine's own sweeper stays out of the way; the tests sweep when they choose.
        SP404_STAGING_SWEEP_INTERVAL_S="3600",
    )
    yield url
    stop(process)


@pytest.fixture
def s3_producer(
    s3_engine: str, api: httpx.Client, mailbox: Mailbox
) -> Iterator[tuple[httpx.Client, Producer]]:
    account = signed_up(api, mailbox)
    with httpx.Client(
        base_url=s3_engine, auth=as_gateway(), headers=account.auth, timeout=30
    ) as client:
        yield client, account


def _objects(client: Any, user_id: str) -> dict[str, int]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"users/{user_id}/")
    prefix = f"users/{user_id}/"
    return {item["Key"][len(prefix) :]: item["Size"] for item in listed.get("Contents", [])}


def _sweep(settings: Settings, s3_url: str) -> int:
    async def run() -> int:
        pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
        store = S3BlobStore(
            endpoint_url=s3_url,
            bucket=BUCKET,
            region="us-east-1",
            access_key_id=KEYS["aws_access_key_id"],
            secret_access_key=KEYS["aws_secret_access_key"],
        )
        try:
            return await sweep_staging(pool, store)
        finally:
            await store.aclose()
            await pool.close()

    return asyncio.run(run())


def test_s3_urls_are_short_lived_size_bound_and_aimed_at_staging(
    s3_producer: tuple[httpx.Client, Producer],
) -> None:
    client, account = s3_producer
    grant = _start(client, 1234)
    parts = urlsplit(grant["url"])
    query = parse_qs(parts.query)
    assert int(query["X-Amz-Expires"][0]) <= 900
    assert "content-length" in query["X-Amz-SignedHeaders"][0].split(";")
    assert grant["headers"]["Content-Length"] == "1234"
    assert f"/users/{account.user_id}/staging/{grant['upload_id']}" in parts.path


def test_s3_replay_after_complete_cannot_touch_the_sample_and_is_swept(
    s3_producer: tuple[httpx.Client, Producer],
    s3: tuple[str, Any],
    migrated_db: Settings,
) -> None:
    client, account = s3_producer
    wav = audio_bytes("wav", seconds=1.0)
    grant = _start(client, len(wav))
    assert _put(grant, wav).status_code == 200
    done = client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 201, done.text
    sample_id = done.json()["sample_id"]
    assert _objects(s3[1], account.user_id) == {f"samples/{sample_id}": len(wav)}

    # S3 cannot revoke the URL: the replay lands, but only in the closed upload's staging key.
    assert _put(grant, _same_length(HTML, len(wav))).status_code == 200
    served = client.get(f"/api/samples/{sample_id}/download")
    assert served.content == wav
    assert hashlib.sha256(served.content).hexdigest() == done.json()["sha256"]
    assert _sweep(migrated_db, s3[0]) >= 1
    assert _objects(s3[1], account.user_id) == {f"samples/{sample_id}": len(wav)}


def test_s3_replay_after_cancel_is_swept_and_never_counted(
    s3_producer: tuple[httpx.Client, Producer],
    s3: tuple[str, Any],
    migrated_db: Settings,
) -> None:
    client, account = s3_producer
    grant = _start(client, 1 * MB, "big.wav")
    assert client.delete(f"/api/samples/uploads/{grant['upload_id']}").status_code == 204
    for _ in range(3):
        _put(grant, b"\0" * MB)
    assert _objects(s3[1], account.user_id) == {f"staging/{grant['upload_id']}": MB}
    assert _sweep(migrated_db, s3[0]) >= 1
    assert _objects(s3[1], account.user_id) == {}
    assert _counted(migrated_db, account.user_id) == 0


def test_s3_replay_after_the_sample_was_deleted_never_recreates_it(
    s3_producer: tuple[httpx.Client, Producer],
    s3: tuple[str, Any],
    migrated_db: Settings,
) -> None:
    client, account = s3_producer
    wav = audio_bytes("wav", seconds=0.5)
    grant = _start(client, len(wav))
    assert _put(grant, wav).status_code == 200
    done = client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 201, done.text
    assert client.delete(f"/api/samples/{done.json()['sample_id']}").status_code == 204
    _put(grant, wav)
    assert "samples" not in {Path(key).parts[0] for key in _objects(s3[1], account.user_id)}
    _sweep(migrated_db, s3[0])
    assert _objects(s3[1], account.user_id) == {}
    assert _counted(migrated_db, account.user_id) == 0
