"""An administrator's tier override: audited, and applied to users, subscriptions and Redis."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import redis.asyncio as redis

from sp404.accounts.emails import normalize_email
from sp404.billing.enforced_tier import set_enforced_tier
from sp404.billing.plans import load_plans
from sp404.billing.tier_cache import publish_tier
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.errors import NotFound, Unprocessable
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))


@dataclass(frozen=True)
class TierChange:
    user_id: uuid.UUID
    previous: str
    tier: str
    published: bool


async def resolve_user(pool: asyncpg.Pool, user: str) -> uuid.UUID:
    """A user id from an id or an e-mail address; 404 when there is no such account."""
    if "@" in user:
        async with tenant_tx(pool, None) as conn:
            found: uuid.UUID | None = await conn.fetchval(
                SQL["user_id_for_email"], normalize_email(user)
            )
        if found is None:
            raise NotFound(f"No account uses the e-mail {user}.")
        return found
    try:
        return uuid.UUID(user)
    except ValueError:
        raise Unprocessable(f"{user!r} is neither a user id nor an e-mail address.") from None


async def set_tier(
    pool: asyncpg.Pool, client: redis.Redis, *, user: str, tier: str, reason: str, operator: str
) -> TierChange:
    """Put an account on `tier` now, recording who did it and why.

    A later Stripe event for a paid subscription mirrors Stripe's state again, so overrides are
    meant for accounts without one (support credits, partners) or to repair a missed event.
    """
    if not reason.strip():
        raise Unprocessable("Give a reason; it goes into the audit log.")
    if tier not in await load_plans(pool):
        raise Unprocessable(f"Unknown tier {tier!r}.")
    user_id = await resolve_user(pool, user)
    async with tenant_tx(pool, user_id) as conn:
        previous = await conn.fetchval(SQL["fetch_user_tier"])
        if previous is None:
            raise NotFound(f"No account has the id {user_id}.")
        await set_enforced_tier(conn, tier)
        await conn.execute(SQL["set_subscription_tier"], tier)
        await write_audit(
            conn,
            action="billing.tier_set_by_admin",
            user_id=user_id,
            target_type="user",
            target_id=str(user_id),
            details={"from": previous, "to": tier, "reason": reason, "operator": operator},
        )
    published = await publish_tier(client, user_id, tier)
    return TierChange(user_id, str(previous), tier, published)
