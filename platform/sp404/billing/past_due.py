"""The past-due cap: a subscription past due for longer than SP404_BILLING_PAST_DUE_DAYS falls to
Free, whatever the Stripe account's retry settings leave it in.

Every Stripe event applies the cap as it mirrors the subscription (`Syncer.apply`); this sweep
covers the quiet days after the last retry, when no event comes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import stripe

from sp404.billing.checkout import lock_row
from sp404.billing.context import Billing
from sp404.billing.sync import Syncer
from sp404.billing.tier_cache import publish_tier
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("billing.past_due")


async def enforce_past_due_cap(ctx: Billing, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Put every account past its past-due days on Free now; the accounts it moved."""
    if ctx.stripe is None:
        return []
    moment = now or datetime.now(UTC)
    before = moment - timedelta(days=ctx.settings.billing_past_due_days)
    async with tenant_tx(ctx.pool, None) as conn:
        candidates = [r["user_id"] for r in await conn.fetch(SQL["past_due_accounts"], before)]
    syncer = Syncer(ctx.stripe.client, ctx.settings)
    moved: list[uuid.UUID] = []
    for user_id in candidates:
        async with tenant_tx(ctx.pool, user_id) as conn:
            row = await lock_row(conn, user_id)
            # Stripe's state now, applied as of `moment`: a payment since then keeps the plan.
            remote = await syncer.fetch(row["stripe_subscription_id"])
            tier = await syncer.apply(
                conn, user_id=user_id, row=row, remote=remote, event_at=moment,
                public_url=ctx.settings.public_url,
            )  # fmt: skip
            if tier != row["user_tier"]:
                await write_audit(
                    conn, action="billing.past_due_cap", user_id=user_id,
                    target_type="subscription", target_id=row["stripe_subscription_id"],
                    details={"from": row["user_tier"], "to": tier,
                             "past_due_since": str(row["past_due_since"])},
                )  # fmt: skip
        if tier is not None and tier != row["user_tier"]:
            await publish_tier(ctx.redis, user_id, tier)
            moved.append(user_id)
    return moved


async def sweep_forever(ctx: Billing) -> None:
    """Run the cap every SP404_BILLING_PAST_DUE_SWEEP_S until cancelled."""
    while True:
        await asyncio.sleep(ctx.settings.billing_past_due_sweep_s)
        try:
            moved = await enforce_past_due_cap(ctx)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, stripe.StripeError) as exc:
            log.warning("past-due sweep failed: %s", type(exc).__name__)
            continue
        except Exception:
            # The next sweep tries again; an ended task would never sweep again.
            log.exception("past-due sweep failed")
            continue
        if moved:
            log.info("past-due cap applied", extra={"accounts": len(moved)})
