"""The analysis worker as a real process: uploads become analysed samples; crashes, poison files
and spent quotas are handled without losing or doubling anything."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import pytest
import soundfile

from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.features.synthetic_audio import SR, drum_loop
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.analysis_engine.vibe.fake_openrouter import (
    GOOD_VIBE,
    FakeOpenRouter,
    Reply,
    chat,
    served_in_thread,
)
from tests.gateway_signing import as_gateway
from tests.observability.test_http_metrics import value
from tests.services.conftest import service_env
from tests.stack import Mailbox, Producer, signed_up
from tests.support import free_port

StartWorker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(migrated_db: Settings) -> Iterator[StartWorker]:
    workers: list[subprocess.Popen[bytes]] = []

    def start(
        lease_s: int = 4, stderr: IO[str] | None = None, **env: str
    ) -> subprocess.Popen[bytes]:
        # A claim takes up to 4 jobs: uploads queued before the worker starts make one batch.
        worker = subprocess.Popen(
            [sys.executable, "-m", "sp404.cli.main", "worker", "--batch-size", "4"],
            env=service_env(migrated_db, SP404_WORKER_LEASE_S=str(lease_s), **env),
            stderr=stderr,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)


def _loop_wav(bpm: float = 120.0, bars: int = 2) -> bytes:
    """A kick/snare/hat loop of exact bars: something with a tempo to find."""
    buffer = io.BytesIO()
    soundfile.write(buffer, drum_loop(bpm, bars) * 0.8, SR, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _upload(
    engine_url: str, account: Producer, data: bytes, name: str = "loop.wav"
) -> dict[str, Any]:
    response = httpx.post(
        f"{engine_url}/api/samples",
        auth=as_gateway(),
        headers=account.auth,
        timeout=30,
        files={"audio": (name, data, "audio/wav")},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _wait_for(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise TimeoutError("condition never became true")


def _sample(engine_url: str, account: Producer, sample_id: str) -> dict[str, Any]:
    return dict(
        httpx.get(
            f"{engine_url}/api/samples/{sample_id}", auth=as_gateway(), headers=account.auth
        ).json()
    )


async def _rows(settings: Settings, user_id: str, sql: str, *args: object) -> list[asyncpg.Record]:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            return list(await conn.fetch(sql, *args))
    finally:
        await pool.close()


def test_an_upload_is_analysed_with_features_vibe_and_an_embedding(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    start_worker: StartWorker,
) -> None:
    account = signed_up(api, mailbox)
    uploaded = _upload(engine_url, account, _loop_wav(120.0))
    assert _sample(engine_url, account, uploaded["sample_id"])["waveform"] is None
    start_worker()
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "ready")
    sample = _sample(engine_url, account, uploaded["sample_id"])
    assert sample["bpm"] == pytest.approx(120.0, rel=0.04)
    assert sample["is_loop"] is True
    assert len(sample["features"]["embedding"]) == 64
    assert sample["vibe"]["description"]
    assert sample["job"]["status"] == "done"
    # The drum loop at 0.8 of full scale: its peaks reach about 0.8 * 127 both ways.
    waveform = sample["waveform"]
    assert waveform["columns"] == len(waveform["peaks"]) == 1000
    assert all(-127 <= low <= high <= 127 for low, high in waveform["peaks"])
    assert max(high for _, high in waveform["peaks"]) > 60
    assert min(low for low, _ in waveform["peaks"]) < -60
    listed = httpx.get(
        f"{engine_url}/api/samples", auth=as_gateway(), headers=account.auth, timeout=30
    ).json()["samples"][0]
    assert listed["waveform"]["columns"] == 200


def test_the_worker_keeps_a_producers_corrections_and_shows_what_it_found(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    start_worker: StartWorker,
) -> None:
    account = signed_up(api, mailbox)
    uploaded = _upload(engine_url, account, _loop_wav(120.0))
    corrected = httpx.patch(
        f"{engine_url}/api/samples/{uploaded['sample_id']}",
        auth=as_gateway(),
        headers=account.auth,
        json={"bpm": 60, "musical_key": None, "is_loop": False},
        timeout=30,
    )
    assert corrected.status_code == 200, corrected.text
    start_worker()
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "ready")
    sample = _sample(engine_url, account, uploaded["sample_id"])
    assert (sample["bpm"], sample["musical_key"], sample["is_loop"]) == (60.0, None, False)
    assert sample["corrected"] == ["bpm", "musical_key", "is_loop"]
    assert sample["detected"]["bpm"] == pytest.approx(120.0, rel=0.04)
    assert sample["detected"]["is_loop"] is True


def test_the_worker_reports_the_seconds_of_each_stage_of_a_batch_in_its_metrics_and_log(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    account = signed_up(api, mailbox)
    ids = [_upload(engine_url, account, _loop_wav(100.0 + 20 * i))["sample_id"] for i in range(2)]
    port = free_port()
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log_file:
        # Both jobs are queued before it starts, so its first claim takes them as one batch.
        start_worker(
            lease_s=60,
            stderr=log_file,
            SP404_LOG_LEVEL="INFO",
            SP404_WORKER_METRICS_PORT=str(port),
            SP404_WORKER_METRICS_HOST="127.0.0.1",
        )
        _wait_for(
            lambda: all(_sample(engine_url, account, i)["status"] == "ready" for i in ids),
            timeout=120,
        )
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    stages = ["accept", "decode", "extract", "describe", "store"]
    # One observation per stage per batch, though store ran once for each clip.
    for stage in stages:
        assert value(metrics, "sp404_analysis_stage_seconds_count", stage=stage) == 1
        assert value(metrics, "sp404_analysis_stage_seconds_sum", stage=stage) > 0
    assert value(metrics, "sp404_analysis_stage_cpu_seconds_total", stage="extract") > 0
    [line] = [
        json.loads(text) for text in log_path.read_text().splitlines() if '"batch analysed"' in text
    ]
    assert line["clips"] == 2
    assert sorted(line["stage_seconds"]) == sorted(line["stage_cpu_seconds"]) == sorted(stages)
    assert sum(line["stage_seconds"].values()) <= line["seconds"] + 0.005  # rounding
    assert line["stage_seconds"]["extract"] == pytest.approx(
        value(metrics, "sp404_analysis_stage_seconds_sum", stage="extract"), abs=0.001
    )


@pytest.fixture
def vibe_model() -> Iterator[tuple[FakeOpenRouter, asyncio.AbstractEventLoop]]:
    """A stand-in for OpenRouter, served from its own thread for worker processes to call."""
    with served_in_thread() as served:
        yield served


def test_a_batch_asks_the_vibe_model_about_all_its_clips_at_once(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    start_worker: StartWorker,
    vibe_model: tuple[FakeOpenRouter, asyncio.AbstractEventLoop],
) -> None:
    # A remote model takes about a second a call: asked one clip after another, a worker did
    # under one analysis a second. Every reply is held until all three questions have arrived,
    # which only happens if the worker asked them together.
    server, loop = vibe_model
    held = asyncio.Event()
    server.default = Reply(body=chat(GOOD_VIBE), hold=held)
    account = signed_up(api, mailbox)
    ids = [
        _upload(engine_url, account, _loop_wav(90.0 + 10 * i), f"loop-{i}.wav")["sample_id"]
        for i in range(3)
    ]
    # All three are queued before it starts, so its first claim takes them as one batch.
    start_worker(
        lease_s=60,
        SP404_OPENROUTER_API_KEY="sk-or-v1-test-0123456789abcdef",
        SP404_OPENROUTER_BASE_URL=server.base_url,
    )
    _wait_for(lambda: len(server.seen) >= 3, timeout=120)
    # Three questions about three clips (a retry of one would repeat its question).
    assert len({json.dumps(seen.body["messages"]) for seen in server.seen[:3]}) == 3
    loop.call_soon_threadsafe(held.set)
    _wait_for(
        lambda: all(_sample(engine_url, account, i)["status"] == "ready" for i in ids),
        timeout=60,
    )
    assert len(server.seen) == 3
    for sample_id in ids:
        assert (
            _sample(engine_url, account, sample_id)["vibe"]["description"]
            == (GOOD_VIBE["description"])
        )


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    migrated_db: Settings,
    start_worker: StartWorker,
) -> None:
    account = signed_up(api, mailbox)
    asyncio.run(_rows(migrated_db, account.user_id, "select app.set_user_tier('pro')"))
    ids = [_upload(engine_url, account, _loop_wav(90.0 + i))["sample_id"] for i in range(6)]
    first = start_worker(lease_s=3)
    _wait_for(
        lambda: bool(
            asyncio.run(
                _rows(
                    migrated_db,
                    account.user_id,
                    "select 1 from app.processing_jobs where status = 'running' or status = 'done'",
                )
            )
        )
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    start_worker(lease_s=3)
    _wait_for(
        lambda: all(_sample(engine_url, account, i)["status"] == "ready" for i in ids), timeout=120
    )
    rows = asyncio.run(
        _rows(
            migrated_db,
            account.user_id,
            "select sample_id, count(*) as n from app.audio_features group by 1",
        )
    )
    assert {str(r["sample_id"]) for r in rows} == set(ids)
    assert all(r["n"] == 1 for r in rows)
    used = asyncio.run(
        _rows(migrated_db, account.user_id, "select analyses_used from app.usage_counters")
    )[0]["analyses_used"]
    assert used >= len(ids)


def test_a_poison_file_ends_dead_with_its_error_and_its_analysis_refunded(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    migrated_db: Settings,
    start_worker: StartWorker,
) -> None:
    account = signed_up(api, mailbox)
    uploaded = _upload(engine_url, account, audio_bytes("wav", seconds=1.0))
    blob = (
        migrated_db.blobs_dir / "users" / account.user_id / "samples" / str(uploaded["sample_id"])
    )
    blob.write_bytes(b"RIFF" + os.urandom(2000))  # the stored file rots after the upload
    asyncio.run(
        _rows(migrated_db, account.user_id, "update app.processing_jobs set max_attempts = 1")
    )
    start_worker()
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "failed")
    job = _sample(engine_url, account, uploaded["sample_id"])["job"]
    assert job["status"] == "dead" and "decode" in job["last_error"]
    used = asyncio.run(
        _rows(migrated_db, account.user_id, "select analyses_used from app.usage_counters")
    )[0]["analyses_used"]
    assert used == 0


def test_a_spent_quota_defers_analysis_until_an_upgrade(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    migrated_db: Settings,
    start_worker: StartWorker,
) -> None:
    account = signed_up(api, mailbox)
    asyncio.run(
        _rows(migrated_db, account.user_id, "update app.usage_counters set analyses_used = 10")
    )
    uploaded = _upload(engine_url, account, _loop_wav(100.0))
    start_worker()
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "deferred")
    job = _sample(engine_url, account, uploaded["sample_id"])["job"]
    assert job["status"] == "deferred"
    # An upgrade wakes it (as the billing flow does when the tier changes).
    env = service_env(migrated_db)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sp404.cli.main",
            "admin",
            "set-tier",
            account.user_id,
            "pro",
            "--reason",
            "test upgrade",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "ready")


def test_a_deferred_analysis_runs_by_itself_once_the_quota_period_resets(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    migrated_db: Settings,
    start_worker: StartWorker,
) -> None:
    account = signed_up(api, mailbox)
    asyncio.run(
        _rows(migrated_db, account.user_id, "update app.usage_counters set analyses_used = 10")
    )
    uploaded = _upload(engine_url, account, _loop_wav(100.0))
    start_worker()
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "deferred")
    [job] = asyncio.run(
        _rows(migrated_db, account.user_id, "select run_after from app.processing_jobs")
    )
    assert job["run_after"] > datetime.now(UTC) + timedelta(days=20)  # waits for the reset date
    # A month goes by: the period that held the spent quota is over, and the reset date has come.
    asyncio.run(
        _rows(
            migrated_db,
            account.user_id,
            "update app.usage_counters set period_start = period_start - interval '1 month'",
        )
    )
    asyncio.run(
        _rows(migrated_db, account.user_id, "update app.processing_jobs set run_after = now()")
    )
    _wait_for(lambda: _sample(engine_url, account, uploaded["sample_id"])["status"] == "ready")
    [usage] = asyncio.run(
        _rows(migrated_db, account.user_id, "select analyses_used from app.usage_counters")
    )
    assert usage["analyses_used"] == 1  # counted in the new period, which started from zero


def test_sigterm_lets_the_worker_finish_and_leave(migrated_db: Settings) -> None:
    env = service_env(migrated_db, SP404_LOG_LEVEL="INFO")
    worker = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "worker"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Signal only once it is listening (importing torch can take a while on a busy machine).
        assert worker.stderr is not None
        for line in worker.stderr:
            if "worker started" in line:
                break
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        worker.stderr.close()
