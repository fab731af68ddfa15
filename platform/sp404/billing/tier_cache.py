"""The tier the gateway enforces, in Redis (`sp404:tier:{<user_id>}`), kept equal to users.tier.

Written after the database commit in every flow that changes a tier, so a new tier's limits apply
from the next request; without the key the gateway falls back to the token's tier claim.
"""

from __future__ import annotations

import logging
import uuid

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger("billing.tier_cache")


def tier_key(user_id: uuid.UUID | str) -> str:
    """The Redis key holding a user's current tier (the user id, in braces, is its hash tag)."""
    return f"sp404:tier:{{{user_id}}}"


async def publish_tier(client: redis.Redis, user_id: uuid.UUID | str, tier: str) -> bool:
    """Store the user's tier for the gateway; False (logged) when Redis is unreachable."""
    try:
        await client.set(tier_key(user_id), tier)
    except RedisError:
        log.error("tier not published to Redis", extra={"user": str(user_id), "tier": tier})
        return False
    return True
