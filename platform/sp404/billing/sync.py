"""Mirrors a Stripe subscription onto our rows: `subscriptions`, `users.tier` and what is pending.

Stripe is the source of truth. Callers hold the subscription row lock (`lock_subscription`), so
the state fetched from Stripe and written here cannot be overtaken by a concurrent older one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import stripe

from sp404.billing.enforced_tier import set_enforced_tier
from sp404.billing.plans import FREE, plan_for_price
from sp404.billing.stripe_api import as_dict
from sp404.billing.usage import LIVE_STATUSES, send_usage_warnings
from sp404.core.queries import load_queries
from sp404.core.settings import StripeSection

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("billing.sync")
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


def timestamp(value: Any) -> datetime | None:
    """A Stripe Unix time as an aware datetime."""
    return None if value is None else datetime.fromtimestamp(int(value), UTC)


def object_id(value: Any) -> str | None:
    """The id of a Stripe reference that may be expanded into an object."""
    if isinstance(value, dict):
        found: str | None = value.get("id")
        return found
    return value if isinstance(value, str) else None


def first_item(sub: dict[str, Any]) -> dict[str, Any]:
    """The subscription's (only) item, or an empty dict."""
    items = (sub.get("items") or {}).get("data") or []
    return dict(items[0]) if items else {}


def price_of(sub: dict[str, Any]) -> str | None:
    """The price id the subscription bills now."""
    return object_id(first_item(sub).get("price"))


def period_of(sub: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The current billing period (on the item since API 2025-03-31, else on the subscription)."""
    item = first_item(sub)
    source = item if item.get("current_period_start") else sub
    return timestamp(source.get("current_period_start")), timestamp(
        source.get("current_period_end")
    )


def past_due_cap_passed(settings: StripeSection, since: datetime, moment: datetime) -> bool:
    """Whether a subscription past due since `since` has used up its days on a paid plan."""
    return moment - since >= timedelta(days=settings.billing_past_due_days)


def adopts(row: Any, remote: dict[str, Any]) -> bool:
    """Whether this Stripe subscription is the one the account's row should mirror.

    A late event about an older, ended subscription must not overwrite the current one; a new
    live subscription replaces an ended or abandoned one.
    """
    stored = row["stripe_subscription_id"]
    if stored is None or stored == remote["id"]:
        return True
    return remote["status"] in LIVE_STATUSES and row["status"] not in LIVE_STATUSES


@dataclass(frozen=True)
class Syncer:
    """What a sync needs: the Stripe client (None: trust event payloads) and settings."""

    client: stripe.StripeClient | None
    settings: StripeSection

    async def fetch(self, subscription_id: str) -> dict[str, Any]:
        """The subscription as Stripe has it now."""
        assert self.client is not None
        return as_dict(await self.client.v1.subscriptions.retrieve_async(subscription_id))

    async def pending_tier(self, remote: dict[str, Any], tier: str) -> str | None:
        """The tier the account moves to when Stripe confirms a payment (a pending upgrade) or
        at the period end (a scheduled change or cancellation)."""
        if remote.get("status") not in LIVE_STATUSES:
            return None
        pending = remote.get("pending_update") or {}
        if pending.get("subscription_items"):
            upgrade = plan_for_price(
                self.settings, object_id(pending["subscription_items"][0].get("price"))
            )
            return upgrade if upgrade != tier else None
        if remote.get("cancel_at_period_end") or remote.get("cancel_at"):
            return FREE
        schedule: Any = remote.get("schedule")
        if not schedule:
            return None
        if isinstance(schedule, str):
            if self.client is None:
                return None
            schedule = as_dict(await self.client.v1.subscription_schedules.retrieve_async(schedule))
        current = schedule.get("current_phase") or {}
        later = [
            p for p in schedule.get("phases", []) if p["start_date"] >= current.get("end_date", 0)
        ]
        if not later or not later[0].get("items"):
            return None
        next_tier = plan_for_price(self.settings, object_id(later[0]["items"][0].get("price")))
        return next_tier if next_tier not in (None, tier) else None

    async def apply(
        self,
        conn: asyncpg.Connection,
        *,
        user_id: uuid.UUID,
        row: Any,
        remote: dict[str, Any],
        event_at: datetime | None = None,
        public_url: str = "",
        ours: bool = False,
    ) -> str | None:
        """Write the remote state to the locked row; the account's new tier, or None if ignored.

        `ours` marks the answer to our own request, which always names the current subscription.
        """
        if not ours and not adopts(row, remote):
            log.info("ignored an older subscription", extra={"subscription": remote["id"]})
            return None
        price = price_of(remote)
        plan_id = plan_for_price(self.settings, price)
        status = remote["status"]
        # Stripe's clock: the event's time, else the newest event's (tests move Stripe's clock).
        moment = event_at or row["stripe_state_at"] or datetime.now(UTC)
        past_due_since = (row["past_due_since"] or moment) if status == "past_due" else None
        if status in LIVE_STATUSES:
            if plan_id is None:
                log.error("subscription bills an unknown price", extra={"price": price})
            tier = plan_id or row["user_tier"]
        else:
            # incomplete (not paid yet), canceled, unpaid, expired: Free limits apply.
            tier = FREE
        if past_due_since is not None and past_due_cap_passed(
            self.settings, past_due_since, moment
        ):
            tier = FREE  # past due for too long, whatever the retry settings do
        if row["disputed_at"] is not None and self.settings.billing_dispute_suspends:
            tier = FREE  # paid features wait while a chargeback is open
        start, end = period_of(remote)
        await conn.execute(
            SQL["apply_subscription"],
            remote["id"],
            price,
            tier,
            status,
            start,
            end,
            timestamp(remote.get("trial_end")),
            bool(remote.get("cancel_at_period_end")),
            timestamp(remote.get("canceled_at")),
            await self.pending_tier(remote, tier),
            remote.get("trial_start") is not None,
            event_at,
            past_due_since,
        )
        changed = await set_enforced_tier(conn, tier)
        if changed is not None and public_url:
            # A lower plan can put usage over 80 % of the new limits at once.
            await send_usage_warnings(conn, user_id=user_id, public_url=public_url)
        return str(tier)
