"""Uploading: every real format in, everything else out, nothing left behind."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib

import asyncpg
import httpx
import pytest

from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import FORMATS, audio_bytes
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up


def _upload(
    client: httpx.Client, data: bytes, name: str = "loop.wav", **fields: str
) -> httpx.Response:
    return client.post(
        "/api/samples", files={"audio": (name, data, "application/octet-stream")}, data=fields
    )


async def _library_state(settings: Settings, user_id: str) -> dict[str, int]:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            return {
                "samples": await conn.fetchval("select count(*) from app.samples"),
                "jobs": await conn.fetchval("select count(*) from app.processing_jobs"),
                "storage": await conn.fetchval("select storage_bytes from app.usage_counters"),
                "reserved": await conn.fetchval("select reserved_bytes from app.usage_counters"),
                "uploads": await conn.fetchval("select active_uploads from app.usage_counters"),
            }
    finally:
        await pool.close()


def _blobs(settings: Settings, user_id: str) -> list[str]:
    root = settings.blobs_dir / "users" / user_id
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_supported_format_is_stored_with_its_job(
    fmt: str, producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    data = audio_bytes(fmt, channels=2)
    response = _upload(
        producer_client, data, name=f"tone.{fmt}", tags="Dusty, Keys,dusty", genre="Lo-fi"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending" and body["job_id"] and body["estimated_completion"]
    assert body["filename"] == f"tone.{fmt}"
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    sample = producer_client.get(f"/api/samples/{body['sample_id']}").json()
    assert sample["format"] == fmt and sample["channels"] == 2
    assert sample["tags"] == ["dusty", "keys"] and sample["genre"] == "Lo-fi"
    assert abs(sample["duration"] - 0.5) < 0.1
    job = producer_client.get(f"/api/jobs/{body['job_id']}").json()
    assert job["status"] == "queued" and job["kind"] == "analyze"
    downloaded = producer_client.get(f"/api/samples/{body['sample_id']}/download")
    assert downloaded.content == data


BAD_INPUTS = {
    "empty": (b"", 422),
    "text renamed to .wav": (b"just some text, honestly not audio at all" * 10, 415),
    "truncated wav": (audio_bytes("wav", seconds=1.0)[:20000], 422),
    "corrupt flac": (b"fLaC" + bytes(range(256)) * 20, 422),
    "a zip": (b"PK\x03\x04" + b"\x00" * 200, 415),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_files_are_refused_and_leave_nothing_behind(
    case: str, producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    data, status = BAD_INPUTS[case]
    before = asyncio.run(_library_state(migrated_db, account.user_id))
    response = _upload(producer_client, data, name="innocent.wav")
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]
    assert asyncio.run(_library_state(migrated_db, account.user_id)) == before
    assert _blobs(migrated_db, account.user_id) == []


@pytest.mark.parametrize("field", ["title", "genre", "tags"])
def test_a_nul_in_a_form_field_is_a_422_and_leaves_nothing_behind(
    field: str, producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    before = asyncio.run(_library_state(migrated_db, account.user_id))
    response = _upload(producer_client, audio_bytes(), **{field: "kick\x00drum"})
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["error"]["message"]
    assert asyncio.run(_library_state(migrated_db, account.user_id)) == before
    assert _blobs(migrated_db, account.user_id) == []


def test_a_missing_audio_field_is_a_clear_422(producer_client: httpx.Client) -> None:
    response = producer_client.post(
        "/api/samples", files={"file": ("a.wav", audio_bytes(), "audio/wav")}
    )
    assert response.status_code in (400, 422)
    not_multipart = producer_client.post(
        "/api/samples", content=b"raw", headers={"content-type": "audio/wav"}
    )
    assert not_multipart.status_code == 415


def test_an_upload_over_the_free_storage_quota_is_refused_with_the_usage(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    big = b"RIFF" + b"\x00" * (101 * 1024 * 1024)
    response = _upload(producer_client, big, name="huge.wav")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded" and error["quota"] == "storage"
    assert "of 100.0 MB used on the Free plan" in error["message"]
    # Waiting lifts nothing (deleting or upgrading does): no Retry-After to wait out.
    assert "Retry-After" not in response.headers
    state = asyncio.run(_library_state(migrated_db, account.user_id))
    assert state["reserved"] == 0 and state["uploads"] == 0


def test_parallel_uploads_racing_the_quota_never_exceed_it(
    api: httpx.Client, mailbox: Mailbox, engine_url: str, migrated_db: Settings
) -> None:
    account = signed_up(api, mailbox)
    # Twenty different files of one size (about 265 KB each; the same file twice is a 409).
    files = [audio_bytes("wav", seconds=3.0) for _ in range(20)]
    data = files[0]
    room = int(5.5 * len(data))  # what is left of the plan: five files fit, the sixth does not
    asyncio.run(_pro_with_room_for(migrated_db, account.user_id, room))

    def upload(index: int) -> int:
        with httpx.Client(
            base_url=engine_url, auth=as_gateway(), headers=account.auth, timeout=60
        ) as client:
            return _upload(client, files[index]).status_code

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(upload, range(20)))
    state = asyncio.run(_library_state(migrated_db, account.user_id))
    assert set(statuses) <= {201, 429}
    assert statuses.count(201) == state["samples"] >= 1
    assert state["storage"] - PRO_LIMIT + room == state["samples"] * len(data)
    assert state["storage"] <= PRO_LIMIT
    assert state["reserved"] == 0 and state["uploads"] == 0
    assert len(_blobs(migrated_db, account.user_id)) == state["samples"]


PRO_LIMIT = 5 * 1024**3


async def _pro_with_room_for(settings: Settings, user_id: str, room: int) -> None:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute("select app.set_user_tier('pro')")
            await conn.execute("update app.usage_counters set storage_bytes = $1", PRO_LIMIT - room)
    finally:
        await pool.close()
