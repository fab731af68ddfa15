"""The plan table (`app.plans`) as every service reads it, plus each plan's Stripe price.

No web framework or Stripe import here: the engine and the gateway load this module too.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import asyncpg

from sp404.core.settings import StripeSection

FREE = "free"
GIB = 1024**3
MB = 1024 * 1024

_FETCH_PLANS = """
select id, name, price_usd, trial_days, storage_bytes, analyses_per_month, api_calls_per_day,
       collections, concurrent_uploads, queue_priority, sort_order
from app.plans
order by sort_order
"""


@dataclass(frozen=True)
class Plan:
    """One tier and its limits; a limit of None means unlimited."""

    id: str
    name: str
    price_usd: int
    trial_days: int
    storage_bytes: int | None
    analyses_per_month: int | None
    api_calls_per_day: int | None
    collections: int | None
    concurrent_uploads: int
    queue_priority: int
    rank: int

    @property
    def is_free(self) -> bool:
        return self.price_usd == 0


_cache: dict[str, Plan] = {}


async def load_plans(pool: asyncpg.Pool) -> MappingProxyType[str, Plan]:
    """Every plan by id, cheapest first; read once per process (plans change by migration)."""
    if not _cache:
        rows = await pool.fetch(_FETCH_PLANS)
        _cache.update({row["id"]: plan_from_row(row) for row in rows})
    return MappingProxyType(_cache)


def plan_from_row(row: Any) -> Plan:
    """A Plan from an `app.plans` row."""
    return Plan(
        id=row["id"],
        name=row["name"],
        price_usd=row["price_usd"],
        trial_days=row["trial_days"],
        storage_bytes=row["storage_bytes"],
        analyses_per_month=row["analyses_per_month"],
        api_calls_per_day=row["api_calls_per_day"],
        collections=row["collections"],
        concurrent_uploads=row["concurrent_uploads"],
        queue_priority=row["queue_priority"],
        rank=row["sort_order"],
    )


def stripe_prices(settings: StripeSection) -> dict[str, str]:
    """Stripe price id of each paid plan that has one configured."""
    prices = {"pro": settings.stripe_price_pro, "enterprise": settings.stripe_price_enterprise}
    return {plan_id: price for plan_id, price in prices.items() if price}


def price_for_plan(settings: StripeSection, plan_id: str) -> str | None:
    """The Stripe price a paid plan is sold at, if configured."""
    return stripe_prices(settings).get(plan_id)


def plan_for_price(settings: StripeSection, price_id: str | None) -> str | None:
    """The plan a Stripe price belongs to (None for a price we do not sell)."""
    for plan_id, price in stripe_prices(settings).items():
        if price == price_id:
            return plan_id
    return None


def publishable_key(settings: StripeSection) -> str | None:
    """Stripe's publishable key for Stripe.js in the browser, when paid plans can be bought."""
    if settings.stripe_secret_key is None:
        return None
    # Public by design (it only lets a browser collect a card); without it the SPA says
    # payments are not configured.
    return settings.stripe_publishable_key or None


def plan_view(plan: Plan, settings: StripeSection) -> dict[str, Any]:
    """A plan as `GET /api/billing/plans` shows it (PRD shape plus the other limits)."""
    storage_gb = None if plan.storage_bytes is None else round(plan.storage_bytes / GIB, 2)
    return {
        "id": plan.id,
        "name": plan.name,
        "price": plan.price_usd,
        "currency": "usd",
        "interval": "month",
        "trial_days": plan.trial_days,
        "available": plan.is_free or price_for_plan(settings, plan.id) is not None,
        "features": {
            "storage_gb": storage_gb,
            "storage_bytes": plan.storage_bytes,
            "analyses_per_month": plan.analyses_per_month,
            "api_requests_per_day": plan.api_calls_per_day,
            "collections": plan.collections,
            "concurrent_uploads": plan.concurrent_uploads,
            "queue_priority": plan.queue_priority,
        },
    }
