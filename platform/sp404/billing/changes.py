"""Changing a live subscription: upgrade now, downgrade at period end, cancel, resume.

Upgrades take effect at once with a prorated invoice, and the new tier is enforced from the next
request. Downgrades wait for the period end through a Subscription Schedule; cancelling also
waits for the period end and can be undone until then. Over-limit data after a downgrade is never
deleted (see `billing.limits`).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
import stripe

from sp404.billing.checkout import find_plan, lock_row, paid_price
from sp404.billing.context import Billing
from sp404.billing.errors import NoSubscription, SubscriptionEnded
from sp404.billing.overview import subscription_view
from sp404.billing.plans import Plan, load_plans, plan_for_price
from sp404.billing.stripe_api import as_dict, idempotency_key, require_client, stripe_errors
from sp404.billing.sync import ENDED_STATUSES, Syncer, first_item, price_of
from sp404.billing.tier_cache import publish_tier
from sp404.billing.usage import LIVE_STATUSES
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.errors import Conflict

log = logging.getLogger("billing.changes")


class _Change:
    """One change request: the client, the locked row and the idempotency options."""

    def __init__(self, client: stripe.StripeClient, user_id: uuid.UUID, nonce: str) -> None:
        self.api = client.v1
        self.user_id = user_id
        self.nonce = nonce

    def options(self, action: str) -> stripe.RequestOptions:
        return idempotency_key(self.user_id, action, self.nonce)

    async def retrieve(self, sub_id: str) -> dict[str, Any]:
        with stripe_errors():
            return as_dict(await self.api.subscriptions.retrieve_async(sub_id))

    async def update(self, sub_id: str, action: str, params: Any) -> dict[str, Any]:
        with stripe_errors():
            return as_dict(
                await self.api.subscriptions.update_async(
                    sub_id, params=params, options=self.options(action)
                )
            )

    async def release_schedule(self, remote: dict[str, Any]) -> None:
        """Drop a scheduled downgrade (the subscription keeps its current plan)."""
        schedule = remote.get("schedule")
        if schedule:
            schedule_id = schedule if isinstance(schedule, str) else schedule["id"]
            with stripe_errors():
                await self.api.subscription_schedules.release_async(
                    schedule_id, options=self.options(f"release-{schedule_id}")
                )

    async def upgrade(self, remote: dict[str, Any], price: str) -> dict[str, Any]:
        await self.release_schedule(remote)
        if remote.get("cancel_at_period_end"):
            # A pending update may carry nothing else, so the cancellation is undone first.
            remote = await self.update(
                remote["id"], "resume-for-upgrade", {"cancel_at_period_end": False}
            )
        params: Any = {
            "items": [{"id": first_item(remote)["id"], "price": price}],
            "proration_behavior": "always_invoice",
            # The prorated invoice is charged now; if the card needs 3-D Secure (or fails), Stripe
            # keeps the current plan and holds the change in `pending_update` until the invoice
            # is paid (the answer's client secret lets Stripe.js authenticate it), 23 h at most.
            "payment_behavior": "pending_if_incomplete",
            "expand": ["latest_invoice.confirmation_secret"],
        }
        return await self.update(remote["id"], f"upgrade-{price}", params)

    async def downgrade(self, remote: dict[str, Any], price: str) -> dict[str, Any]:
        if remote.get("cancel_at_period_end"):
            remote = await self.update(
                remote["id"], "resume-for-downgrade", {"cancel_at_period_end": False}
            )
        with stripe_errors():
            schedule_id = remote.get("schedule")
            if schedule_id:
                schedule = await self.api.subscription_schedules.retrieve_async(schedule_id)
            else:
                schedule = await self.api.subscription_schedules.create_async(
                    params={"from_subscription": remote["id"]},
                    options=self.options(f"schedule-{remote['id']}"),
                )
            current = as_dict(schedule)["current_phase"]
            await self.api.subscription_schedules.update_async(
                schedule.id,
                params={
                    "phases": [
                        {"items": [{"price": price_of(remote), "quantity": 1}],
                         "start_date": current["start_date"], "end_date": current["end_date"]},
                        {"items": [{"price": price, "quantity": 1}], "iterations": 1},
                    ],
                    "end_behavior": "release",
                },  # type: ignore[arg-type]
                options=self.options(f"downgrade-{price}"),
            )  # fmt: skip
        return await self.retrieve(remote["id"])

    async def cancel_at_period_end(self, remote: dict[str, Any]) -> dict[str, Any]:
        if remote["status"] == "incomplete":
            with stripe_errors():
                # Never paid: nothing to keep until a period end.
                return as_dict(
                    await self.api.subscriptions.cancel_async(
                        remote["id"], options=self.options(f"cancel-unpaid-{remote['id']}")
                    )
                )
        await self.release_schedule(remote)
        if remote.get("cancel_at_period_end"):
            return await self.retrieve(remote["id"])
        return await self.update(remote["id"], "cancel", {"cancel_at_period_end": True})


async def _live_remote(conn: asyncpg.Connection, change: _Change) -> tuple[Any, dict[str, Any]]:
    row = await lock_row(conn, change.user_id)
    if not row["stripe_subscription_id"] or row["status"] in ENDED_STATUSES:
        raise NoSubscription()
    remote = await change.retrieve(row["stripe_subscription_id"])
    if remote["status"] in ENDED_STATUSES:
        raise SubscriptionEnded()
    return row, remote


async def _finish(
    ctx: Billing, conn: asyncpg.Connection, change: _Change, row: Any, remote: dict[str, Any],
    action: str, details: dict[str, Any],
) -> tuple[str | None, dict[str, Any]]:  # fmt: skip
    syncer = Syncer(ctx.stripe.client if ctx.stripe else None, ctx.settings)
    tier = await syncer.apply(
        conn, user_id=change.user_id, row=row, remote=remote, ours=True,
        public_url=ctx.settings.public_url,
    )  # fmt: skip
    await write_audit(
        conn, action=action, user_id=change.user_id, target_type="subscription",
        target_id=remote["id"], details=details,
    )  # fmt: skip
    return tier, await subscription_view(conn)


async def change_plan(
    ctx: Billing, *, user_id: uuid.UUID, plan_id: str, nonce: str
) -> dict[str, Any]:
    """Move to another plan: up at once (prorated), down at the period end, Free = cancel."""
    target = await find_plan(ctx, plan_id)
    change = _Change(require_client(ctx.stripe), user_id, nonce)
    price = None if target.is_free else paid_price(ctx, target)
    plans = await load_plans(ctx.pool)
    async with tenant_tx(ctx.pool, user_id) as conn:
        row, remote = await _live_remote(conn, change)
        current_id = plan_for_price(ctx.settings, price_of(remote)) or row["user_tier"]
        current: Plan = plans[current_id]
        if target.id == current.id:
            if not (remote.get("schedule") or remote.get("cancel_at_period_end")):
                raise Conflict(f"You are already on the {target.name} plan.")
            # Choosing the current plan again drops a pending downgrade or cancellation.
            await change.release_schedule(remote)
            remote = await change.retrieve(remote["id"])
            if remote.get("cancel_at_period_end"):
                remote = await change.update(remote["id"], "keep", {"cancel_at_period_end": False})
            action = "billing.change_dropped"
        elif price is None:
            remote = await change.cancel_at_period_end(remote)
            action = "billing.cancel_requested"
        elif target.rank > current.rank:
            remote = await change.upgrade(remote, price)
            action = (
                "billing.upgrade_pending" if remote.get("pending_update") else "billing.upgraded"
            )
        else:
            remote = await change.downgrade(remote, price)
            action = "billing.downgrade_scheduled"
        details = {"from": current.id, "to": target.id}
        tier, view = await _finish(ctx, conn, change, row, remote, action, details)
    if tier is not None:
        await publish_tier(ctx.redis, user_id, tier)
    if remote.get("pending_update"):
        view["payment_client_secret"] = pending_payment_secret(remote)
    return view


def pending_payment_secret(remote: dict[str, Any]) -> str | None:
    """The client secret of the invoice a pending update waits for (Stripe.js confirms it)."""
    invoice = remote.get("latest_invoice")
    if not isinstance(invoice, dict):
        return None
    secret: str | None = (invoice.get("confirmation_secret") or {}).get("client_secret")
    return secret


async def cancel(ctx: Billing, *, user_id: uuid.UUID, nonce: str) -> dict[str, Any]:
    """Cancel at the period end (at once if never paid); features stay until then."""
    change = _Change(require_client(ctx.stripe), user_id, nonce)
    async with tenant_tx(ctx.pool, user_id) as conn:
        row, remote = await _live_remote(conn, change)
        remote = await change.cancel_at_period_end(remote)
        tier, view = await _finish(ctx, conn, change, row, remote, "billing.cancel_requested", {})
    if tier is not None:
        await publish_tier(ctx.redis, user_id, tier)
    return view


async def resume(ctx: Billing, *, user_id: uuid.UUID, nonce: str) -> dict[str, Any]:
    """Undo a cancellation before the period ends."""
    change = _Change(require_client(ctx.stripe), user_id, nonce)
    async with tenant_tx(ctx.pool, user_id) as conn:
        row, remote = await _live_remote(conn, change)
        if remote["status"] not in LIVE_STATUSES:
            raise SubscriptionEnded("This subscription is not running; subscribe again instead.")
        if remote.get("cancel_at_period_end"):
            remote = await change.update(remote["id"], "resume", {"cancel_at_period_end": False})
        tier, view = await _finish(ctx, conn, change, row, remote, "billing.resumed", {})
    if tier is not None:
        await publish_tier(ctx.redis, user_id, tier)
    return view


async def cancel_for_deletion(ctx: Billing, user_id: uuid.UUID) -> None:
    """Cancel the Stripe subscription at once because the account is being deleted."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await lock_row(conn, user_id)
    sub_id = row["stripe_subscription_id"]
    if not sub_id or row["status"] in ENDED_STATUSES:
        return
    client = require_client(ctx.stripe)
    try:
        with stripe_errors():
            await client.v1.subscriptions.cancel_async(
                sub_id,
                params={"cancellation_details": {"comment": "account deleted"}},
                options=idempotency_key(user_id, "delete-account", sub_id),
            )
    except Conflict as exc:
        # Stripe refused: the subscription already ended there, so nothing is left to stop.
        log.info("subscription already ended at Stripe", extra={"reason": exc.message})
