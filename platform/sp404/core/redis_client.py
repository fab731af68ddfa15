"""The Redis client every service shares: a blocking pool with short timeouts.

redis-py's default async pool raises "Too many connections" under bursts; a BlockingConnectionPool
waits briefly for a free connection instead, and the short socket timeouts make a dead Redis a fast
error rather than a hung request.
"""

from __future__ import annotations

import redis.asyncio as redis

from sp404.core.settings import CoreSection


def create_redis(settings: CoreSection, *, url: str | None = None) -> redis.Redis:
    """A Redis client on a bounded, blocking connection pool."""
    pool = redis.BlockingConnectionPool.from_url(
        url or settings.redis_url,
        max_connections=settings.redis_pool_size,
        timeout=0.5,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
    )
    return redis.Redis(connection_pool=pool)
