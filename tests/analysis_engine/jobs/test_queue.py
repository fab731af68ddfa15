"""The job queue in Postgres: priority then age, skip-locked claims, leases, backoff, dead jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from sp404.core.db import create_pool, tenant_tx
from sp404.core.migrations import migrate
from sp404.core.settings import Settings
from sp404.jobs import claim_jobs, complete_job, enqueue_job, fail_job, renew_leases
from tests.conftest import CreateUser, drop_database, recreate_database, with_database

KIND = "batch_import"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pool(migrated_db: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A database of this module's own: no running service can claim the jobs these tests make."""
    name = f"sp404_queue_{uuid.uuid4().hex[:8]}"
    await recreate_database(migrated_db.database_owner_url, name)
    scratch = migrated_db.model_copy(
        update={
            "database_url": with_database(migrated_db.database_url, name),
            "database_owner_url": with_database(migrated_db.database_owner_url, name),
        }
    )
    await migrate(scratch.database_owner_url)
    scratch_pool = await create_pool(scratch, min_size=1, max_size=5)
    yield scratch_pool
    await scratch_pool.close()
    await drop_database(migrated_db.database_owner_url, name)


@pytest.fixture(autouse=True)
async def empty_queue(pool: asyncpg.Pool) -> None:
    # Leftover jobs of earlier tests in this module would be claimed here: take them out of the
    # way with an hour-long lease.
    while await claim_jobs(pool, worker_id="sweeper", kinds=[KIND], limit=100, lease_s=3600):
        pass


async def _enqueue(pool: asyncpg.Pool, user: uuid.UUID, priority: int, **kw: object) -> uuid.UUID:
    async with tenant_tx(pool, user) as conn:
        return await enqueue_job(conn, user_id=user, kind=KIND, priority=priority, **kw)  # type: ignore[arg-type]


async def _expire_leases(pool: asyncpg.Pool, user: uuid.UUID) -> None:
    async with tenant_tx(pool, user) as conn:
        await conn.execute(
            "update app.processing_jobs set lease_expires_at = now() - interval '1 second'"
            " where status = 'running'"
        )


async def test_jobs_are_claimed_by_tier_priority_then_age(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    free, pro = await create_user(), await create_user(tier="pro")
    old_free = await _enqueue(pool, free, priority=1)
    new_free = await _enqueue(pool, free, priority=1)
    pro_job = await _enqueue(pool, pro, priority=5)
    claimed = await claim_jobs(pool, worker_id="w1", kinds=[KIND], limit=10, lease_s=60)
    assert [job.id for job in claimed] == [pro_job, old_free, new_free]


async def test_concurrent_workers_never_claim_the_same_job(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    ids = {await _enqueue(pool, user, priority=1) for _ in range(12)}
    batches = await asyncio.gather(
        *(claim_jobs(pool, worker_id=f"w{i}", kinds=[KIND], limit=4, lease_s=60) for i in range(4))
    )
    claimed = [job.id for batch in batches for job in batch]
    assert len(claimed) == len(set(claimed)) == 12
    assert set(claimed) == ids


async def test_a_dead_workers_job_is_taken_again_after_its_lease(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    job_id = await _enqueue(pool, user, priority=1)
    [first] = await claim_jobs(pool, worker_id="crashed", kinds=[KIND], limit=1, lease_s=60)
    assert await claim_jobs(pool, worker_id="other", kinds=[KIND], limit=1, lease_s=60) == []
    await _expire_leases(pool, user)
    [again] = await claim_jobs(pool, worker_id="other", kinds=[KIND], limit=1, lease_s=60)
    assert again.id == first.id == job_id
    assert again.attempts == 2
    # The crashed worker can no longer renew or complete what it lost.
    assert await renew_leases(pool, worker_id="crashed", job_ids=[job_id], lease_s=60) == set()
    async with tenant_tx(pool, user) as conn:
        assert await complete_job(conn, first, worker_id="crashed") is False
        assert await complete_job(conn, again, worker_id="other") is True


async def test_a_failing_job_backs_off_then_is_parked_dead_with_its_error(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    job_id = await _enqueue(pool, user, priority=1, max_attempts=2)
    [job] = await claim_jobs(pool, worker_id="w", kinds=[KIND], limit=1, lease_s=60)
    assert await fail_job(pool, job, worker_id="w", error="decoder exploded") == "queued"
    # Backoff: not runnable right away.
    assert await claim_jobs(pool, worker_id="w", kinds=[KIND], limit=1, lease_s=60) == []
    async with tenant_tx(pool, user) as conn:
        await conn.execute("update app.processing_jobs set run_after = now() where id = $1", job_id)
    [job] = await claim_jobs(pool, worker_id="w", kinds=[KIND], limit=1, lease_s=60)
    assert await fail_job(pool, job, worker_id="w", error="decoder exploded again") == "dead"
    async with tenant_tx(pool, user) as conn:
        row = await conn.fetchrow(
            "select status, last_error, attempts from app.processing_jobs where id = $1", job_id
        )
    assert dict(row) == {"status": "dead", "last_error": "decoder exploded again", "attempts": 2}


async def test_a_job_whose_last_lease_expires_is_parked_dead(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    job_id = await _enqueue(pool, user, priority=1, max_attempts=1)
    await claim_jobs(pool, worker_id="crashed", kinds=[KIND], limit=1, lease_s=60)
    await _expire_leases(pool, user)
    assert await claim_jobs(pool, worker_id="w", kinds=[KIND], limit=1, lease_s=60) == []
    async with tenant_tx(pool, user) as conn:
        status = await conn.fetchval("select status from app.processing_jobs where id = $1", job_id)
    assert status == "dead"


async def test_workers_only_claim_the_kinds_they_handle(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    await _enqueue(pool, user, priority=1)
    assert await claim_jobs(pool, worker_id="w", kinds=["export"], limit=5, lease_s=60) == []
