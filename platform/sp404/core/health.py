"""`/healthz` (the process is alive) and `/readyz` (its dependencies answer)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import redis.asyncio as redis


async def check_database(pool: asyncpg.Pool) -> dict[str, Any]:
    """Ok when a pooled connection runs a query within a second."""
    try:
        async with asyncio.timeout(1.0), pool.acquire() as conn:
            await conn.fetchval("select 1")
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


async def check_redis(client: redis.Redis) -> dict[str, Any]:
    """Ok when Redis answers PING within a second."""
    try:
        async with asyncio.timeout(1.0):
            await client.ping()
    except (OSError, redis.RedisError, TimeoutError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}
