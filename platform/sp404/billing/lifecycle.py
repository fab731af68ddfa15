"""The platform's start-up hook for billing: the Stripe connection, the deletion hook and the
past-due cap's sweep."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from sp404.accounts.context import Accounts
from sp404.accounts.data_rights import DELETION_HOOKS
from sp404.billing.changes import cancel_for_deletion
from sp404.billing.context import Billing
from sp404.billing.past_due import sweep_forever
from sp404.billing.plans import load_plans
from sp404.billing.stripe_api import connect_stripe


async def start_billing(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Build the Billing context on `app.state.billing`; the returned cleanup undoes it."""
    connection = connect_stripe(app.state.settings)
    ctx = Billing(app.state.pool, app.state.redis, app.state.settings, connection)
    app.state.billing = ctx
    await load_plans(ctx.pool)

    async def cancel_stripe_subscription(_: Accounts, user_id: uuid.UUID) -> None:
        # Runs before the rows go: a deleted account must never be charged again.
        await cancel_for_deletion(ctx, user_id)

    DELETION_HOOKS.append(cancel_stripe_subscription)
    sweeper = asyncio.get_running_loop().create_task(sweep_forever(ctx))

    async def stop() -> None:
        sweeper.cancel()
        await asyncio.gather(sweeper, return_exceptions=True)
        DELETION_HOOKS.remove(cancel_stripe_subscription)
        if connection is not None:
            await connection.aclose()

    return stop
