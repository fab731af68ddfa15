"""Analysing a claimed batch: count each analysis against the quota (or defer it), decode the
audio, extract features for the whole batch at once (GPU when present), describe each sample, and
store everything with the job's completion in the owner's transaction."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from analysis_engine.analysis.stored_audio import decode_stored
from analysis_engine.features import AudioFeatures
from analysis_engine.features.extractor import extract_batch
from analysis_engine.features.waveform import compute_peaks
from analysis_engine.vibe import VibeResult, describe
from sp404.billing import count_analysis, refund_analysis
from sp404.core.db import tenant_tx
from sp404.core.errors import QuotaExceeded
from sp404.core.queries import load_queries
from sp404.core.settings import WorkerSettings
from sp404.jobs import ClaimedJob, complete_job, defer_job, fail_job
from sp404.observability import JOB_METRICS, StageClock
from sp404.storage import BlobStore

SQL = load_queries(Path(__file__).with_name("queries.sql"))
# Vibe calls one worker has in flight at once (a batch's clips; the default batch is 16).
VIBE_CALLS_AT_ONCE = 8
log = logging.getLogger("analysis")


@dataclass(frozen=True)
class WorkerContext:
    pool: asyncpg.Pool
    blobs: BlobStore
    settings: WorkerSettings


@dataclass
class Accepted:
    job: ClaimedJob
    sample: Any
    clip: tuple[Any, int] | None = None
    waveform: bytes | None = None


async def _accept(ctx: WorkerContext, job: ClaimedJob, worker_id: str) -> Accepted | None:
    """Count the analysis (or defer the job when the quota is spent); None when nothing to do."""
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        sample = await conn.fetchrow(SQL["sample_for_analysis"], job.sample_id)
        if sample is None:  # deleted since it was queued
            await complete_job(conn, job, worker_id=worker_id)
            return None
    try:
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            await count_analysis(conn, user_id=job.user_id, public_url=ctx.settings.public_url)
            await conn.execute(SQL["mark_processing"], job.sample_id)
    except QuotaExceeded as exc:
        resets = datetime.fromisoformat(exc.details["resets_at"])
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            reason = "analyses quota spent; waiting for the next period or an upgrade"
            if await defer_job(conn, job, worker_id=worker_id, until=resets, reason=reason):
                await conn.execute(SQL["mark_deferred"], job.sample_id)
        log.info("analysis deferred", extra={"job_id": str(job.id), "until": resets.isoformat()})
        return None
    return Accepted(job, sample)


async def _decode(ctx: WorkerContext, accepted: Accepted) -> None:
    decoded = await decode_stored(ctx.blobs, accepted.sample["blob_key"])
    accepted.clip = (decoded.samples, decoded.sample_rate)
    # From the whole decoded clip on the host, whichever device extracts the features.
    accepted.waveform = await asyncio.to_thread(compute_peaks, decoded.samples) or None


async def _give_up_on(ctx: WorkerContext, accepted: Accepted, worker_id: str, error: str) -> None:
    job = accepted.job
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        await refund_analysis(conn)
    status = await fail_job(ctx.pool, job, worker_id=worker_id, error=error)
    if status == "dead":
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            await conn.execute(SQL["mark_failed"], job.sample_id)


async def _store(
    ctx: WorkerContext,
    accepted: Accepted,
    features: AudioFeatures,
    vibe: VibeResult,
    vibe_ms: int,
    worker_id: str,
) -> None:
    job, user_id = accepted.job, accepted.job.user_id
    key = None if features.key is None else f"{features.key} {features.mode}"
    async with tenant_tx(ctx.pool, user_id) as conn:
        await conn.execute(
            SQL["store_features"],
            user_id,
            job.sample_id,
            features.to_dict(),
            [float(x) for x in features.embedding],
            features.tempo_confidence,
            features.key_confidence,
            str(features.version),
            accepted.waveform,
        )
        await conn.execute(
            SQL["store_vibe"],
            user_id,
            job.sample_id,
            vibe.model,
            vibe.description,
            list(vibe.moods),
            vibe.era,
            vibe.genre,
            vibe.energy,
            list(vibe.descriptors),
            list(vibe.compatibility_tags),
            vibe.best_use,
            vibe.tokens_used,
            vibe.cost_usd,
        )
        if vibe.tokens_used:
            await conn.execute(
                SQL["record_model_usage"], user_id, vibe_ms, vibe.tokens_used, vibe.cost_usd
            )
        await conn.execute(
            SQL["mark_analysed"],
            job.sample_id,
            features.duration_s,
            features.sample_rate,
            features.channels,
            features.is_loop,
            None if features.tempo_bpm is None else round(features.tempo_bpm, 2),
            key,
        )
        if not await complete_job(conn, job, worker_id=worker_id):
            # The lease was lost to another worker: roll back so only one set of results lands.
            raise LeaseLost(str(job.id))


class LeaseLost(Exception):
    """Another worker owns this job now."""


async def analyze_batch(ctx: WorkerContext, jobs: list[ClaimedJob], worker_id: str) -> None:
    """The `analyze` job handler."""
    clock = StageClock()
    started = time.perf_counter()
    ready: list[Accepted] = []
    try:
        await _analyze(ctx, jobs, worker_id, clock, ready)
    finally:
        JOB_METRICS.observe_stages(clock)
        if ready:
            log.info(
                "batch analysed",
                extra={
                    "clips": len(ready),
                    "seconds": round(time.perf_counter() - started, 3),
                    "stage_seconds": {k: round(v, 3) for k, v in clock.wall.items()},
                    "stage_cpu_seconds": {k: round(v, 3) for k, v in clock.cpu.items()},
                },
            )


async def _analyze(
    ctx: WorkerContext,
    jobs: list[ClaimedJob],
    worker_id: str,
    clock: StageClock,
    ready: list[Accepted],
) -> None:
    with clock.stage("accept"):
        accepted = [a for a in [await _accept(ctx, job, worker_id) for job in jobs] if a]
    with clock.stage("decode"):
        for item in accepted:
            try:
                await _decode(ctx, item)
                ready.append(item)
            except Exception as exc:  # a corrupt or vanished file fails this job only
                await _give_up_on(ctx, item, worker_id, f"decode: {type(exc).__name__}: {exc}")
    if not ready:
        return
    with clock.stage("extract"):
        clips = [item.clip for item in ready]
        results = await asyncio.to_thread(extract_batch, clips)  # type: ignore[arg-type]
    with clock.stage("describe"):
        described = await _describe_all(ctx, ready, results)
    for item, features, answer in zip(ready, results, described, strict=True):
        try:
            if isinstance(answer, BaseException):
                raise answer
            vibe, vibe_ms = answer
            with clock.stage("store"):
                await _store(ctx, item, features, vibe, vibe_ms, worker_id)
        except LeaseLost:
            log.warning("lease lost; results dropped", extra={"job_id": str(item.job.id)})
        except Exception as exc:
            log.exception("storing analysis failed", extra={"job_id": str(item.job.id)})
            await _give_up_on(ctx, item, worker_id, f"{type(exc).__name__}: {exc}")


async def _describe_all(
    ctx: WorkerContext, ready: list[Accepted], results: list[AudioFeatures]
) -> list[tuple[VibeResult, int] | Exception]:
    """Each clip's vibe and how many ms it took, or the error that stopped it.

    A remote model answers in about a second: one call after another, a worker analysed under
    one clip a second whatever its device (benchmarks/bench_worker.py, docs/scaling.md), so a
    batch's calls wait together, at most VIBE_CALLS_AT_ONCE at a time.
    """
    gate = asyncio.Semaphore(VIBE_CALLS_AT_ONCE)

    async def one(item: Accepted, features: AudioFeatures) -> tuple[VibeResult, int]:
        async with gate:
            started = time.perf_counter()
            vibe = await describe(
                features,
                title=item.sample["title"],
                tags=list(item.sample["tags"]),
                model=item.sample["model"],
                settings=ctx.settings,
            )
            return vibe, int((time.perf_counter() - started) * 1000)

    answers = await asyncio.gather(
        *(one(item, features) for item, features in zip(ready, results, strict=True)),
        return_exceptions=True,
    )
    kept: list[tuple[VibeResult, int] | Exception] = []
    for answer in answers:
        # Cancellation (the worker stopping) is not one clip's failure: let it through.
        if isinstance(answer, BaseException) and not isinstance(answer, Exception):
            raise answer
        kept.append(answer)
    return kept
