"""The worker loop records how long each batch took, how it ended, and clips per second."""

from __future__ import annotations

import time
import uuid

import asyncpg
import httpx

from sp404.core.db import tenant_tx
from sp404.jobs import ClaimedJob
from sp404.jobs.worker import run_batch
from sp404.observability import JOB_METRICS, JobMetrics, StageClock, serve_job_metrics
from tests.conftest import CreateUser
from tests.observability.test_http_metrics import value
from tests.support import free_port


async def running_jobs(
    pool: asyncpg.Pool, user_id: uuid.UUID, worker_id: str, count: int
) -> list[ClaimedJob]:
    """Jobs already claimed by `worker_id`, on their last attempt."""
    async with tenant_tx(pool, user_id) as conn:
        rows = await conn.fetch(
            "insert into app.processing_jobs (user_id, kind, status, attempts, max_attempts,"
            " worker_id, lease_expires_at, started_at)"
            " select $1, 'analyze', 'running', 1, 1, $2, now() + interval '1 minute', now()"
            " from generate_series(1, $3)"
            " returning id, user_id, sample_id, kind, attempts, max_attempts, payload",
            user_id,
            worker_id,
            count,
        )
    return [ClaimedJob(**dict(row)) for row in rows]


def current(name: str, **labels: str) -> float:
    return value(JOB_METRICS.render().decode(), name, **labels)


async def test_a_successful_analysis_batch_counts_its_clips_and_duration(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    worker_id = f"test-{uuid.uuid4().hex[:8]}"
    jobs = await running_jobs(pool, await create_user(), worker_id, 3)
    clips_before = current("sp404_analysis_clips_total")
    batches_before = current("sp404_job_batch_duration_seconds_count", kind="analyze", outcome="ok")
    handled: list[int] = []

    async def analyze(_: asyncpg.Pool, batch: list[ClaimedJob], __: str) -> None:
        handled.append(len(batch))

    await run_batch(pool, worker_id, jobs, {"analyze": analyze})
    assert handled == [3]
    assert current("sp404_analysis_clips_total") == clips_before + 3
    assert (
        current("sp404_job_batch_duration_seconds_count", kind="analyze", outcome="ok")
        == batches_before + 1
    )
    assert current("sp404_analysis_clips_per_second") > 0


async def test_a_failing_batch_is_counted_as_failed_and_its_jobs_are_parked(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    worker_id = f"test-{uuid.uuid4().hex[:8]}"
    user_id = await create_user()
    jobs = await running_jobs(pool, user_id, worker_id, 2)
    failed_before = current("sp404_jobs_processed_total", kind="analyze", outcome="failed")
    clips_before = current("sp404_analysis_clips_total")

    async def broken(_: asyncpg.Pool, batch: list[ClaimedJob], __: str) -> None:
        raise RuntimeError("decoder crashed")

    await run_batch(pool, worker_id, jobs, {"analyze": broken})
    assert current("sp404_jobs_processed_total", kind="analyze", outcome="failed") == (
        failed_before + 2
    )
    assert current("sp404_analysis_clips_total") == clips_before
    async with tenant_tx(pool, user_id) as conn:
        statuses = await conn.fetch(
            "select status from app.processing_jobs where id = any($1)", [j.id for j in jobs]
        )
    assert {r["status"] for r in statuses} == {"dead"}


def test_job_metrics_are_served_over_http_for_a_worker_process() -> None:
    port = free_port()
    server = serve_job_metrics(port, "127.0.0.1")
    try:
        JOB_METRICS.observe_batch("analyze", 4, 2.0, ok=True)
        response = httpx.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 200
    assert value(response.text, "sp404_analysis_clips_per_second") == 2.0


def test_only_analysis_batches_count_as_clips() -> None:
    metrics = JobMetrics()
    metrics.observe_batch("batch_import", 1, 3.0, ok=True)
    metrics.observe_batch("analyze", 8, 0.5, ok=True)
    text = metrics.render().decode()
    assert value(text, "sp404_analysis_clips_total") == 8
    assert value(text, "sp404_analysis_clips_per_second") == 16
    assert value(text, "sp404_jobs_processed_total", kind="batch_import", outcome="ok") == 1


def test_a_stage_entered_once_per_clip_adds_up_to_one_observation_per_batch() -> None:
    metrics = JobMetrics()
    clock = StageClock()
    for _ in range(3):
        with clock.stage("store"):
            time.sleep(0.01)
    with clock.stage("extract"):
        sum(i * i for i in range(200_000))  # CPU work, so the CPU counter moves
    metrics.observe_stages(clock)
    text = metrics.render().decode()
    assert value(text, "sp404_analysis_stage_seconds_count", stage="store") == 1
    assert value(text, "sp404_analysis_stage_seconds_sum", stage="store") >= 0.03
    assert value(text, "sp404_analysis_stage_cpu_seconds_total", stage="extract") > 0
    # Sleeping is wall time, not CPU time.
    assert value(text, "sp404_analysis_stage_cpu_seconds_total", stage="store") < 0.03
