"""Asking for analysis again: one sample, or many at once (a collection's members)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from sp404.billing import require_analyses_left, storage_quota
from sp404.core.audit import Hidden, owner_tx
from sp404.core.queries import load_queries
from sp404.jobs import enqueue_job

SQL = load_queries(Path(__file__).with_name("queries.sql"))
MAX_BATCH = 1000


async def reanalyze(
    ctx: Engine, *, user_id: uuid.UUID, sample_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Queue a fresh analysis for each of the caller's samples; 404 if any is not theirs."""
    if len(sample_ids) > MAX_BATCH:
        sample_ids = sample_ids[:MAX_BATCH]
    async with owner_tx(ctx.pool, user_id) as conn:
        await require_analyses_left(conn)
        priority = (await storage_quota.storage_usage(conn))["queue_priority"]
        owned = {r["id"] for r in await conn.fetch(SQL["owned_sample_ids"], sample_ids)}
        missing = [s for s in sample_ids if s not in owned]
        queued = []
        if not missing:
            for sample_id in sample_ids:
                job_id = await enqueue_job(
                    conn, user_id=user_id, kind="analyze", priority=priority, sample_id=sample_id
                )
                await conn.execute(SQL["mark_pending"], sample_id)
                queued.append({"sample_id": sample_id, "job_id": job_id, "status": "queued"})
        if missing:
            raise Hidden("sample", missing[0])
    return queued
