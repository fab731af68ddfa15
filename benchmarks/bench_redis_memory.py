"""Redis memory per producer: the keys one signed-in producer leaves (revocation valid-after,
published tier, the per-minute log, the day's counter) after 1, 20 and 100 requests in a minute,
by `MEMORY USAGE`, on a scratch database of the local Redis (db 8, the benchmarks').

    .venv/bin/python -m benchmarks.bench_redis_memory
"""

from __future__ import annotations

import asyncio
import time
import uuid

import redis.asyncio as redis

from benchmarks.stack import bench_settings
from gateway.limits import Limiter
from sp404.billing.tier_cache import publish_tier
from sp404.tokens import Claims, RevocationStore


async def main() -> None:
    client = redis.Redis.from_url(bench_settings().redis_url)
    store = RevocationStore(client)
    limiter = Limiter(
        client, store, allowances=lambda: {"free": 1000}, per_minute=1000, per_address_minute=100
    )
    try:
        for requests in (1, 20, 100):
            user = str(uuid.uuid4())
            for _ in range(requests):
                now = int(time.time())
                claims = Claims(user, "x@example.com", "free", True, uuid.uuid4().hex, now + 600,
                                now, None, {}, frozenset({"samples:read"}))  # fmt: skip
                await limiter.check_user(claims, uuid.uuid4().hex)
            await publish_tier(client, user, "pro")
            await store.set_valid_after(user, int(time.time()))
            keys = [key async for key in client.scan_iter(f"*{{{user}}}*")]
            used = [int(await client.memory_usage(key) or 0) for key in keys]
            print(f"{requests:>3} requests in the minute: {len(keys)} keys, {sum(used):,} bytes")
            await client.delete(*keys)
    finally:
        await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
