"""A running engine and platform serve their metrics: requests, pool, dependencies and queue."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from sp404.core.db import tenant_tx
from tests.conftest import CreateUser
from tests.gateway_signing import as_gateway
from tests.observability.test_http_metrics import samples, value
from tests.services.conftest import StartService


async def queue_job(pool: asyncpg.Pool, user_id: uuid.UUID, *, priority: int, status: str) -> None:
    async with tenant_tx(pool, user_id) as conn:
        await conn.execute(
            "insert into app.processing_jobs (user_id, kind, status, priority, run_after,"
            " finished_at) values ($1, 'analyze', $2, $3, now() - interval '90 seconds',"
            " case when $2 = 'dead' then now() end)",
            user_id,
            status,
            priority,
        )


async def test_the_queue_function_gives_counts_per_tier_across_tenants_and_nothing_else(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    free, pro = await create_user(), await create_user(tier="pro")
    await queue_job(pool, free, priority=1, status="queued")
    await queue_job(pool, pro, priority=5, status="queued")
    await queue_job(pool, pro, priority=5, status="dead")
    async with tenant_tx(pool, None) as conn:
        rows = await conn.fetch("select * from app.queue_depth_by_tier()")
    by_key = {(r["tier"], r["status"]): r for r in rows}
    assert set(rows[0].keys()) == {"tier", "status", "jobs", "oldest_wait_s"}
    assert by_key["free", "queued"]["jobs"] >= 1
    assert by_key["pro", "queued"]["jobs"] >= 1
    assert by_key["pro", "dead"]["jobs"] >= 1
    assert by_key["free", "queued"]["oldest_wait_s"] >= 90


async def test_the_engine_reports_queue_depth_and_oldest_age_by_tier(
    pool: asyncpg.Pool, create_user: CreateUser, start_service: StartService
) -> None:
    free, enterprise = await create_user(), await create_user(tier="enterprise")
    await queue_job(pool, free, priority=1, status="queued")
    await queue_job(pool, enterprise, priority=10, status="queued")
    url = start_service("engine")
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    assert value(text, "sp404_queue_jobs", tier="free", status="queued") >= 1
    assert value(text, "sp404_queue_jobs", tier="enterprise", status="queued") >= 1
    assert value(text, "sp404_queue_oldest_job_age_seconds", tier="free") >= 90
    assert value(text, "sp404_dependency_up", service="engine", dependency="database") == 1
    assert value(text, "sp404_dependency_up", service="engine", dependency="redis") == 1


async def test_the_platform_reports_requests_and_its_pool_but_not_the_queue(
    start_service: StartService,
) -> None:
    url = start_service("platform", SP404_DB_POOL_MAX="7")
    route = {"service": "platform", "method": "GET"}
    exports = "/api/account/exports/{export_id}"
    async with httpx.AsyncClient() as client:
        await client.get(f"{url}/readyz")
        await client.get(f"{url}/api/account/exports/{uuid.uuid4()}", auth=as_gateway())
        # A request is counted just after its response went out: scrape until both are in.
        for _ in range(50):
            text = (await client.get(f"{url}/metrics")).text
            if value(text, "sp404_http_requests_total", **route, route=exports, status="401"):
                break
            await asyncio.sleep(0.05)
    assert value(text, "sp404_http_requests_total", **route, route="/readyz", status="200") == 1
    assert value(text, "sp404_http_requests_total", **route, route=exports, status="401") == 1
    assert value(text, "sp404_db_pool_max_connections", service="platform") == 7
    in_use = value(text, "sp404_db_pool_connections", service="platform", state="in_use")
    idle = value(text, "sp404_db_pool_connections", service="platform", state="idle")
    assert in_use >= 0 and in_use + idle >= 1
    assert not any(name == "sp404_queue_jobs" for name, _ in samples(text))
