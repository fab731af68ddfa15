"""What PgBouncer (transaction mode) and asyncpg's statement cache cost per request.

One request is what the engine does for a library page: `tenant_tx` (begin, set the tenant) and
the `list_samples` named query (50 rows, with filters bound as parameters), for 8 producers of
500 samples each, run by `--clients` concurrent clients. Four ways:

- direct, statement cache on (asyncpg's default of 100 per connection; today's default),
- direct, statement cache off (`SP404_DB_STATEMENT_CACHE_SIZE=0`),
- PgBouncer, statement cache off (what docs/operations.md prescribes),
- PgBouncer, statement cache on: PgBouncer 1.18 (Debian 12) has no `max_prepared_statements`
  (added in 1.21), so this counts the requests that fail with a prepared-statement error.

    .venv/bin/python -m benchmarks.bench_pgbouncer [--requests 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from pathlib import Path

import asyncpg

from benchmarks.stack import bench_settings, create_verified_users, fresh_database, percentile
from sp404.core.db import create_pool, tenant_tx
from sp404.core.queries import load_queries
from sp404.core.settings import Settings
from tests.support.pgbouncer import running_pgbouncer

BENCH_DB = "sp404_bench_pgbouncer"
SAMPLES_PER_PRODUCER = 500


def _list_query() -> str:
    import analysis_engine.samples as samples

    return load_queries(Path(samples.__file__).with_name("queries.sql"))["list_samples"]


async def _seed(settings: Settings) -> list[uuid.UUID]:
    await fresh_database(settings)
    users = [u for u, _ in await create_verified_users(settings, 8, "a benchmark passphrase")]
    pool = await create_pool(settings, min_size=1, max_size=2)
    try:
        for user in users:
            async with tenant_tx(pool, user) as conn:
                await conn.execute(
                    "insert into app.samples (user_id, title, filename, format, size_bytes,"
                    " sha256, blob_key, bpm, status, tags)"
                    " select $1::uuid, 'Dusty loop ' || g, 'loop' || g || '.wav', 'wav', 1000,"
                    " md5(g::text || $1::uuid::text), 'users/x/' || g, 80 + g % 80, 'ready',"
                    " array['drums']"
                    " from generate_series(1, $2) g",
                    user,
                    SAMPLES_PER_PRODUCER,
                )
        async with pool.acquire() as conn:
            await conn.execute("analyze")
    finally:
        await pool.close()
    return users


async def _run(
    settings: Settings, users: list[uuid.UUID], *, requests: int, clients: int, cache: int
) -> dict[str, float]:
    query = _list_query()
    pool = await create_pool(
        settings.model_copy(update={"db_statement_cache_size": cache}),
        min_size=clients,
        max_size=clients,
    )
    latencies: list[float] = []
    errors = 0

    async def client(index: int) -> None:
        nonlocal errors
        for i in range(requests // clients):
            user = users[(index + i) % len(users)]
            started = time.perf_counter()
            try:
                async with tenant_tx(pool, user) as conn:
                    rows = await conn.fetch(
                        query,
                        "loop" if i % 2 else None,
                        [90.0],
                        [120.0],
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        "created_desc",
                        50,
                        0,
                    )
                    assert len(rows) <= 50
            except asyncpg.PostgresError:
                errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    try:
        # Warm the connections (and the cache, where there is one) before timing.
        await asyncio.gather(*(client(i) for i in range(clients)))
        latencies.clear()
        errors = 0
        wall = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        wall = time.perf_counter() - wall
    finally:
        await pool.close()
    done = len(latencies)
    return {
        "requests_per_s": round(done / wall, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2) if done else float("nan"),
        "p95_ms": round(percentile(latencies, 0.95), 2) if done else float("nan"),
        "errors": errors,
        "client_cpu_s": 0.0,
    }


async def main(requests: int, clients: int) -> None:
    settings = bench_settings(BENCH_DB)
    users = await _seed(settings)
    results: dict[str, dict[str, float]] = {}
    try:
        for label, cache in (("direct, cache 100", 100), ("direct, cache 0", 0)):
            cpu = time.process_time()
            results[label] = await _run(
                settings, users, requests=requests, clients=clients, cache=cache
            )
            results[label]["client_cpu_s"] = round(time.process_time() - cpu, 2)
        # Fewer server connections than clients: the reason to run PgBouncer at all.
        with running_pgbouncer([settings.database_url], pool_size=max(1, clients // 2)) as bouncer:
            through = settings.model_copy(
                update={"database_url": bouncer.url(settings.database_url)}
            )
            for label, cache in (("pgbouncer, cache 0", 0), ("pgbouncer, cache 100", 100)):
                cpu = time.process_time()
                bcpu = bouncer.cpu_seconds()
                results[label] = await _run(
                    through, users, requests=requests, clients=clients, cache=cache
                )
                results[label]["client_cpu_s"] = round(time.process_time() - cpu, 2)
                results[label]["pgbouncer_cpu_s"] = round(bouncer.cpu_seconds() - bcpu, 2)
    finally:
        conn = await asyncpg.connect(settings.database_owner_url.rsplit("/", 1)[0] + "/postgres")
        try:
            await conn.execute(f'drop database if exists "{BENCH_DB}" with (force)')
        finally:
            await conn.close()
    base = results["direct, cache 100"]
    for label, row in results.items():
        if row["p50_ms"] == row["p50_ms"] and base["p50_ms"]:
            row["p50_vs_direct_cache"] = round(row["p50_ms"] / base["p50_ms"], 2)
        print(f"{label:22s} {json.dumps(row)}")
    print(
        json.dumps(
            {"requests": requests, "clients": clients, "samples_per_producer": SAMPLES_PER_PRODUCER}
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.clients))
