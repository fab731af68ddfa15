"""The job queue under depth: claim and complete from a queue of --jobs queued jobs with 1, 8
and 32 concurrent workers, through the queue's own functions (`sp404.jobs.claim_jobs`, then
`complete_job` in the job owner's tenant transaction, as the analysis worker does).

    .venv/bin/python -m benchmarks.bench_job_queue [--jobs 1000000] [--seconds 20] [--batch 16]

The queue is seeded through RLS as the runtime role (one tenant transaction per producer,
`insert ... select generate_series`), spread over --producers producers and the three tier
priorities, with ages spread over a day. Each concurrency runs for --seconds against the same
queue (it stays within a few percent of --jobs deep); the workers are asyncio tasks in this one
process, each with its own connection. Prints jobs/s, claim latency (one `claim_jobs` call, a
batch) and complete latency p50/p95, and the claim query's plan. The database
(`sp404_bench_queue`) is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

import asyncpg

from benchmarks.stack import bench_settings, fresh_database, percentile
from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings
from sp404.jobs import claim_jobs, complete_job

BENCH_DB = "sp404_bench_queue"
KINDS = ["analyze"]


async def _seed(settings: Settings, jobs: int, producers: int) -> float:
    started = time.perf_counter()
    owner = await asyncpg.connect(settings.database_owner_url)
    pool = await create_pool(settings, min_size=4, max_size=4)
    users = [uuid.uuid4() for _ in range(producers)]
    per_user = jobs // producers
    try:

        async def seed_user(user: uuid.UUID) -> None:
            async with tenant_tx(pool, user) as conn:
                await conn.execute(
                    "insert into app.users (id, email, email_normalized, password_hash)"
                    " values ($1, $2, $2, 'x')",
                    user,
                    f"queue-{user.hex[:12]}@example.com",
                )
                await conn.execute(
                    "insert into app.processing_jobs (user_id, kind, priority, created_at,"
                    " run_after)"
                    " select $1, 'analyze', 1 + (g % 3),"
                    " now() - make_interval(secs => (random() * 86400)::int),"
                    " now() - interval '1 minute'"
                    " from generate_series(1, $2) g",
                    user,
                    per_user,
                )

        for start in range(0, producers, 4):
            await asyncio.gather(*(seed_user(u) for u in users[start : start + 4]))
        await owner.execute("analyze app.processing_jobs")
    finally:
        await pool.close()
        await owner.close()
    return time.perf_counter() - started


async def _run(settings: Settings, workers: int, seconds: float, batch: int) -> dict[str, float]:
    pool = await create_pool(settings, min_size=workers, max_size=workers)
    claims: list[float] = []
    completes: list[float] = []
    done = 0
    empty = 0
    deadline = time.monotonic() + seconds

    async def worker(index: int) -> None:
        nonlocal done, empty
        worker_id = f"bench-{workers}-{index}"
        while time.monotonic() < deadline:
            started = time.perf_counter()
            got = await claim_jobs(pool, worker_id=worker_id, kinds=KINDS, limit=batch, lease_s=60)
            claims.append((time.perf_counter() - started) * 1000)
            if not got:
                empty += 1
                continue
            for job in got:
                started = time.perf_counter()
                async with tenant_tx(pool, job.user_id) as conn:
                    finished = await complete_job(conn, job, worker_id=worker_id)
                completes.append((time.perf_counter() - started) * 1000)
                done += int(finished)

    wall = time.perf_counter()
    try:
        await asyncio.gather(*(worker(i) for i in range(workers)))
    finally:
        await pool.close()
    wall = time.perf_counter() - wall
    return {
        "workers": workers,
        "jobs_per_s": round(done / wall, 1),
        "claim_p50_ms": round(percentile(claims, 0.5), 2),
        "claim_p95_ms": round(percentile(claims, 0.95), 2),
        "complete_p50_ms": round(percentile(completes, 0.5), 2),
        "complete_p95_ms": round(percentile(completes, 0.95), 2),
        "claims": len(claims),
        "empty_claims": empty,
    }


async def _queued(settings: Settings) -> int:
    conn = await asyncpg.connect(settings.database_owner_url)
    try:
        plan = await conn.fetch(
            "explain (analyze, buffers, costs off) select c.id from app.processing_jobs c"
            " where c.kind = $1 and c.status in ('queued', 'deferred') and c.run_after <= now()"
            " order by c.priority desc, c.created_at for update skip locked limit 16",
            KINDS[0],
        )
        print("claim plan:\n  " + "\n  ".join(r[0] for r in plan))
        return int(
            await conn.fetchval("select count(*) from app.processing_jobs where status = 'queued'")
        )
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> None:
    settings = bench_settings(BENCH_DB)
    await fresh_database(settings)
    try:
        seeded_s = await _seed(settings, args.jobs, args.producers)
        print(f"seeded {args.jobs:,} jobs for {args.producers:,} producers in {seeded_s:.1f} s")
        for workers in args.workers:
            before = await _queued(settings)
            row = await _run(settings, workers, args.seconds, args.batch)
            row["queued_at_start"] = before
            print(json.dumps(row), flush=True)
    finally:
        conn = await asyncpg.connect(settings.database_owner_url.rsplit("/", 1)[0] + "/postgres")
        try:
            await conn.execute(f'drop database if exists "{BENCH_DB}" with (force)')
        finally:
            await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--producers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 8, 32])
    asyncio.run(main(parser.parse_args()))
