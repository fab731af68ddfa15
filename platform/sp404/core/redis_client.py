"""The Redis client every service shares: a blocking pool with short timeouts, or a cluster client.

redis-py's default async pool raises "Too many connections" under bursts; a BlockingConnectionPool
waits briefly for a free connection instead, and the short socket timeouts make a dead Redis a fast
error rather than a hung request.

With `SP404_REDIS_CLUSTER=true` the URL names any one node of a Redis Cluster; the client learns
the slot map from it and follows MOVED/ASK. Every multi-key operation of ours (the gateway's gate
script, revocation's MGET, the throttle's pipeline) names keys of one user, and those keys carry
the user id as their hash tag (`{user_id}`), so each lands in one slot.
"""

from __future__ import annotations

from typing import cast

import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from sp404.core.settings import CoreSection


def create_redis(settings: CoreSection, *, url: str | None = None) -> redis.Redis:
    """A Redis client on a bounded, blocking connection pool (a cluster client when configured)."""
    if settings.redis_cluster:
        cluster = RedisCluster.from_url(
            url or settings.redis_url,
            max_connections=settings.redis_pool_size,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
            # One retry after a MOVED or a dead node (with a refreshed slot map), not a long
            # loop: a lost master must cost a request a fast error, never a stall.
            retry=Retry(NoBackoff(), 1),
        )
        # RedisCluster serves the same command, script and pipeline API as Redis; every caller
        # is typed against the single-node client.
        return cast(redis.Redis, cluster)
    pool = redis.BlockingConnectionPool.from_url(
        url or settings.redis_url,
        max_connections=settings.redis_pool_size,
        timeout=0.5,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
    )
    return redis.Redis(connection_pool=pool)
