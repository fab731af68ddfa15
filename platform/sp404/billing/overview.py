"""`GET /api/billing/subscription`: the plan, its state and the usage against its limits."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg

from sp404.billing.usage import LIVE_STATUSES, usage_row, usage_view
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))


async def subscription_view(conn: asyncpg.Connection) -> dict[str, Any]:
    """The caller's subscription and usage (inside the caller's transaction)."""
    row = await conn.fetchrow(SQL["fetch_subscription"])
    if row is None:
        # Accounts made outside sign-up (imports, operators) get their Free row on first look.
        await conn.execute(SQL["ensure_subscription"], await conn.fetchval(SQL["current_user"]))
        row = await conn.fetchrow(SQL["fetch_subscription"])
    usage = await usage_row(conn)
    renews = (
        row["status"] in LIVE_STATUSES
        and row["stripe_subscription_id"] is not None
        and not row["cancel_at_period_end"]
        and row["current_period_end"] is not None
    )
    view: dict[str, Any] = {
        "id": row["id"],
        "tier": row["tier"],
        "status": row["status"],
        "current_period_start": row["current_period_start"],
        "current_period_end": row["current_period_end"],
        "next_billing_date": row["current_period_end"].date().isoformat() if renews else None,
        "price": row["price_usd"],
        "currency": "usd",
        "cancel_at_period_end": row["cancel_at_period_end"],
        "cancelled_at": row["cancelled_at"],
        "pending_tier": row["pending_tier"],
        "trial_ends_at": row["trial_ends_at"] if row["status"] == "trialing" else None,
        # One trial per e-mail identity, whichever account had it.
        "trial_available": not row["had_trial"]
        and not await conn.fetchval(SQL["trial_taken"], False),
        "has_billing_account": row["stripe_customer_id"] is not None,
        "past_due_since": row["past_due_since"] if row["status"] == "past_due" else None,
        "disputed": row["disputed_at"] is not None,
    }
    if usage is not None:
        view.update(usage_view(usage))
    return view


async def read_subscription(pool: asyncpg.Pool, *, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's subscription view in its own transaction."""
    async with tenant_tx(pool, user_id) as conn:
        return await subscription_view(conn)
