"""The same library on an S3-compatible store (a real moto S3 server): uploads land in the bucket,
come back byte for byte, and leave nothing behind when refused or deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, signed_up, start_service, stop
from tests.support.s3 import engine_s3_env, moto_bucket

BUCKET = "sp404-engine-tests"
KEYS = {"aws_access_key_id": "AKIDENGINETESTS", "aws_secret_access_key": "engine-tests-secret"}


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
    )
    yield url
    stop(process)


def _keys(client: Any, user_id: str) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"users/{user_id}/")
    return [item["Key"] for item in listed.get("Contents", [])]


def test_uploads_go_to_the_bucket_and_leave_nothing_when_refused_or_deleted(
    api: httpx.Client, mailbox: Mailbox, s3_engine: str, s3: tuple[str, Any]
) -> None:
    account = signed_up(api, mailbox)
    client = s3[1]
    with httpx.Client(
        base_url=s3_engine, auth=as_gateway(), headers=account.auth, timeout=30
    ) as engine:
        data = audio_bytes("flac", seconds=1.0)
        uploaded = engine.post("/api/samples", files={"audio": ("s3.flac", data, "audio/flac")})
        assert uploaded.status_code == 201, uploaded.text
        sample_id = uploaded.json()["sample_id"]
        assert _keys(client, account.user_id) == [f"users/{account.user_id}/samples/{sample_id}"]
        assert engine.get(f"/api/samples/{sample_id}/download").content == data
        part = engine.get(f"/api/samples/{sample_id}/stream", headers={"Range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == data[10:20]

        refused = engine.post(
            "/api/samples", files={"audio": ("x.wav", b"RIFF" + b"0" * 500, "audio/wav")}
        )
        assert refused.status_code in (415, 422)
        assert len(_keys(client, account.user_id)) == 1

        assert engine.delete(f"/api/samples/{sample_id}").status_code == 204
        assert _keys(client, account.user_id) == []
