"""A worker node shares nothing with the API hosts but PostgreSQL and the blob store: started in
an empty working directory of its own, with a var/ of its own and `SP404_BLOB_STORE=s3` (a real
moto S3 server), it analyses uploads made through the engine's API."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sp404.core.settings import Settings
from tests.analysis_engine.analysis.test_worker import _loop_wav, _sample, _upload, _wait_for
from tests.services.conftest import service_env
from tests.stack import Mailbox, signed_up, start_service, stop
from tests.support.s3 import engine_s3_env, moto_bucket

BUCKET = "sp404-worker-node"
KEYS = {"aws_access_key_id": "AKIDWORKERNODE", "aws_secret_access_key": "worker-node-secret"}


@pytest.fixture(scope="module")
def s3() -> Iterator[tuple[str, Any]]:
    with moto_bucket(BUCKET, KEYS) as server:
        yield server


@pytest.fixture(scope="module")
def api_host(
    migrated_db: Settings,
    platform_url: str,
    s3: tuple[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Path]]:
    """An engine (the API host) with a var/ of its own; yields its URL and that folder."""
    var = tmp_path_factory.mktemp("api-host-var")
    url, process = start_service(
        "engine",
        migrated_db,
        SP404_PLATFORM_URLS=f'["{platform_url}"]',
        SP404_VAR_DIR=str(var),
        # The signing keys and gateway secrets are the platform's; only the files are elsewhere.
        SP404_JWT_KEYS_DIR=str(migrated_db.keys_dir),
        **engine_s3_env(s3[0], BUCKET, KEYS),
    )
    yield url, var
    stop(process)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_worker_with_nothing_but_the_database_and_s3_analyses_an_api_upload(
    api: httpx.Client,
    mailbox: Mailbox,
    migrated_db: Settings,
    api_host: tuple[str, Path],
    s3: tuple[str, Any],
    tmp_path: Path,
) -> None:
    engine_url, api_var = api_host
    account = signed_up(api, mailbox)
    uploaded = _upload(engine_url, account, _loop_wav(120.0))
    sample_id = uploaded["sample_id"]
    listed = s3[1].list_objects_v2(Bucket=BUCKET, Prefix=f"users/{account.user_id}/")
    assert [o["Key"] for o in listed["Contents"]] == [
        f"users/{account.user_id}/samples/{sample_id}"
    ]
    # The API host keeps no audio: there is nothing on it a worker could read.
    assert not [f for f in _files(api_var) if "samples" in f]

    node = tmp_path / "worker-node"
    node.mkdir()
    env = service_env(
        migrated_db,
        SP404_VAR_DIR=str(node / "var"),
        SP404_WORKER_LEASE_S="30",
        **engine_s3_env(s3[0], BUCKET, KEYS),
    )
    # Nothing of the API host's reaches the node: no var/, no working directory, no blob dir.
    env.pop("SP404_BLOB_DIR", None)
    assert str(api_var) not in " ".join(env.values())
    worker = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "worker", "--batch-size", "4"],
        env=env,
        cwd=node,
    )
    try:
        _wait_for(lambda: _sample(engine_url, account, sample_id)["status"] == "ready", timeout=120)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    sample = _sample(engine_url, account, sample_id)
    assert sample["bpm"] == pytest.approx(120.0, rel=0.04)
    assert len(sample["features"]["embedding"]) == 64
    assert sample["job"]["status"] == "done"
    # The node kept no copy of the audio either.
    assert not [f for f in _files(node) if "samples" in f]
    assert os.listdir(node) in ([], ["var"])
