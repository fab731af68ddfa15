"""The plan table (`app.plans`) as every service reads it, plus each plan's Stripe price.

No web framework or Stripe import here: the engine and the gateway load this module too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import asyncpg

from sp404.core.db import tenant_tx
from sp404.core.settings import StripeSection

log = logging.getLogger("billing.plans")

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


class PlanCatalog:
    """The plans by id, cheapest first: read on first use, and every `refresh_s` once started.

    Each read replaces the mappings whole, so a caller holding one sees a consistent set (the
    gateway's limiter rebuilds its table only when `allowances()` returns a new object).
    """

    def __init__(self) -> None:
        self._plans: Mapping[str, Plan] = MappingProxyType({})
        self._allowances: Mapping[str, int | None] = MappingProxyType({})
        self._task: asyncio.Task[None] | None = None

    async def plans(self, pool: asyncpg.Pool) -> Mapping[str, Plan]:
        """Every plan by id, read now if never read."""
        if not self._plans:
            await self.load(pool)
        return self._plans

    def allowances(self) -> Mapping[str, int | None]:
        """API calls per day by tier (None: unlimited) as last read."""
        return self._allowances

    async def load(self, pool: asyncpg.Pool) -> None:
        """Read app.plans now; raises when the database cannot answer."""
        # app.plans is global product data; its policy lets the runtime role read it unsigned.
        async with tenant_tx(pool, None) as conn:
            rows = await conn.fetch(_FETCH_PLANS)
        plans = {row["id"]: plan_from_row(row) for row in rows}
        self._plans = MappingProxyType(plans)
        self._allowances = MappingProxyType({p.id: p.api_calls_per_day for p in plans.values()})

    def start(self, pool: asyncpg.Pool, *, refresh_s: float) -> None:
        """Re-read every `refresh_s` until stopped."""
        self._task = asyncio.get_running_loop().create_task(self._refresh(pool, refresh_s))

    async def stop(self) -> None:
        """Stop re-reading."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _refresh(self, pool: asyncpg.Pool, refresh_s: float) -> None:
        while True:
            await asyncio.sleep(refresh_s)
            try:
                await self.load(pool)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # Keep the last good plans: they change rarely.
                log.warning("plans not refreshed: %s", type(exc).__name__)


# The platform's and the engine's catalog: read once per process (plans change by migration).
_CATALOG = PlanCatalog()


async def load_plans(pool: asyncpg.Pool) -> Mapping[str, Plan]:
    """Every plan by id, cheapest first."""
    return await _CATALOG.plans(pool)


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
