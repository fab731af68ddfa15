"""Asking for analysis again: one sample, or many at once (a collection's members)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from analysis_engine.context import Engine
from analysis_engine.quotas import storage_quota
from sp404.billing.usage import add_months, usage_row
from sp404.core.audit import deny_access
from sp404.core.db import tenant_tx
from sp404.core.errors import QuotaExceeded
from sp404.core.queries import load_queries
from sp404.jobs import enqueue_job

SQL = load_queries(Path(__file__).with_name("queries.sql"))
MAX_BATCH = 1000


async def _ensure_analyses_left(conn: asyncpg.Connection) -> None:
    """429 now when this period's analyses are spent (an explicit request is never deferred)."""
    row = await usage_row(conn)
    limit = row["analyses_limit"]
    if limit is not None and row["analyses_used"] >= limit:
        resets = add_months(row["period_start"], 1)
        raise QuotaExceeded(
            f"Analyses: {row['analyses_used']} of {limit} used this period on the "
            f"{row['plan_name']} plan. The count starts again on {resets:%B %d, %Y}.",
            retry_after=max(1, int((resets - datetime.now(UTC)).total_seconds())),
            details={"quota": "analyses", "used": row["analyses_used"], "limit": limit},
        )


async def reanalyze(
    ctx: Engine, *, user_id: uuid.UUID, sample_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Queue a fresh analysis for each of the caller's samples; 404 if any is not theirs."""
    if len(sample_ids) > MAX_BATCH:
        sample_ids = sample_ids[:MAX_BATCH]
    async with tenant_tx(ctx.pool, user_id) as conn:
        await _ensure_analyses_left(conn)
        priority = (await conn.fetchrow(storage_quota.SQL["storage_usage"]))["queue_priority"]
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
        raise await deny_access(
            ctx.pool, user_id=user_id, target_type="sample", target_id=missing[0]
        )
    return queued
