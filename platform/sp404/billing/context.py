"""What the billing services need, gathered once per app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
import redis.asyncio as redis
from fastapi import Depends, Request

from sp404.billing.stripe_api import StripeConnection
from sp404.core.settings import StripeSection


@dataclass(frozen=True)
class Billing:
    pool: asyncpg.Pool
    redis: redis.Redis
    settings: StripeSection
    stripe: StripeConnection | None


def billing(request: Request) -> Billing:
    """The app's Billing context (built by the start-up hook)."""
    ctx: Billing = request.app.state.billing
    return ctx


BillingDep = Annotated[Billing, Depends(billing)]
