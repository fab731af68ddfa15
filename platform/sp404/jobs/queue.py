"""Queue operations on `processing_jobs` (the SQL lives in queries.sql next to this file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import asyncpg

from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
RETRY_BASE_DELAY_S = 5


@dataclass(frozen=True)
class ClaimedJob:
    id: UUID
    user_id: UUID
    sample_id: UUID | None
    kind: str
    attempts: int
    max_attempts: int
    payload: dict[str, Any]


async def enqueue_job(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    kind: str,
    priority: int,
    sample_id: UUID | None = None,
    payload: dict[str, Any] | None = None,
    status: str = "queued",
    max_attempts: int = 5,
    run_after: datetime | None = None,
) -> UUID:
    """Add a job inside the caller's tenant transaction; returns its id.

    `run_after` holds it back until then (e.g. an export's expiry); None makes it runnable now.
    """
    job_id: UUID = await conn.fetchval(
        SQL["enqueue_job"],
        user_id,
        sample_id,
        kind,
        status,
        priority,
        payload or {},
        max_attempts,
        run_after,
    )
    if status == "queued":
        await conn.execute(SQL["notify_jobs"], kind)
    return job_id


async def claim_jobs(
    pool: asyncpg.Pool, *, worker_id: str, kinds: list[str], limit: int, lease_s: int
) -> list[ClaimedJob]:
    """Claim a batch of runnable jobs of the given kinds (any tenant)."""
    async with tenant_tx(pool, None) as conn:
        rows = await conn.fetch(SQL["claim_jobs"], worker_id, kinds, limit, lease_s)
    return [ClaimedJob(**dict(row)) for row in rows]


async def renew_leases(
    pool: asyncpg.Pool, *, worker_id: str, job_ids: list[UUID], lease_s: int
) -> set[UUID]:
    """Extend this worker's leases; returns the jobs it still holds."""
    async with tenant_tx(pool, None) as conn:
        rows = await conn.fetch(SQL["renew_leases"], worker_id, job_ids, lease_s)
    return {row["id"] for row in rows}


async def complete_job(conn: asyncpg.Connection, job: ClaimedJob, *, worker_id: str) -> bool:
    """Mark the job done in the job owner's transaction (with the job's results)."""
    status: str = await conn.execute(SQL["complete_job"], job.id, worker_id)
    return status.endswith(" 1")


async def finish_job(
    conn: asyncpg.Connection,
    job: ClaimedJob,
    *,
    worker_id: str,
    status: Literal["done", "failed"],
    error: str | None = None,
) -> None:
    """End a job this worker holds without a retry (a refused input is not worth retrying)."""
    await conn.execute(SQL["finish_job"], job.id, worker_id, status, error)


async def record_progress(
    conn: asyncpg.Connection, job: ClaimedJob, *, worker_id: str, progress: float
) -> None:
    """Publish a running job's progress (0..1) to the producer's job stream."""
    await conn.execute(SQL["record_progress"], job.id, worker_id, progress)


async def defer_job(
    conn: asyncpg.Connection, job: ClaimedJob, *, worker_id: str, until: datetime, reason: str
) -> bool:
    """Park a job until `until` without spending one of its attempts (a quota that is spent);
    False when this worker no longer holds it."""
    parked = await conn.fetchval(SQL["defer_job"], job.id, worker_id, until, reason)
    return parked is not None


async def wake_deferred(conn: asyncpg.Connection, *, kind: str) -> None:
    """Make the caller's deferred jobs of `kind` runnable now (e.g. after an upgrade)."""
    await conn.execute(SQL["wake_deferred"], kind)


async def fail_job(
    pool: asyncpg.Pool, job: ClaimedJob, *, worker_id: str, error: str
) -> str | None:
    """Record a failed attempt; returns the job's new status ('queued' or 'dead')."""
    async with tenant_tx(pool, job.user_id) as conn:
        status: str | None = await conn.fetchval(
            SQL["fail_job"], job.id, worker_id, RETRY_BASE_DELAY_S, error[:2000]
        )
    return status


# Reads for the owner's job pages (RLS keeps them to the caller's jobs).


async def fetch_job(conn: asyncpg.Connection, job_id: UUID) -> asyncpg.Record | None:
    """One job of the transaction's user, or None."""
    row: asyncpg.Record | None = await conn.fetchrow(SQL["fetch_job"], job_id)
    return row


async def list_jobs(
    conn: asyncpg.Connection, status: str | None, limit: int, offset: int
) -> list[asyncpg.Record]:
    """A page of the user's jobs, newest first; each row carries the total."""
    return list(await conn.fetch(SQL["list_jobs"], status, limit, offset))


async def jobs_changed_since(conn: asyncpg.Connection, since: Any) -> list[asyncpg.Record]:
    """The user's jobs changed after `since` (the progress stream's next batch)."""
    return list(await conn.fetch(SQL["jobs_changed_since"], since))
