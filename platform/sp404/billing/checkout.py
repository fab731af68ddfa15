"""Subscribing: the Stripe customer (once per user), a new subscription, the billing portal."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
import stripe

from sp404.billing.context import Billing
from sp404.billing.errors import AlreadySubscribed, BillingNotConfigured, UnknownPlan
from sp404.billing.plans import Plan, load_plans, price_for_plan
from sp404.billing.stripe_api import as_dict, idempotency_key, require_client, stripe_errors
from sp404.billing.sync import Syncer, price_of
from sp404.billing.tier_cache import publish_tier
from sp404.billing.usage import LIVE_STATUSES
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.core.settings import StripeSection

SQL = load_queries(Path(__file__).with_name("queries.sql"))
# What the SPA needs to collect a card: the first invoice's secret or, in a trial, a setup intent.
SUBSCRIPTION_EXPAND = ["latest_invoice.confirmation_secret", "pending_setup_intent"]


async def find_plan(ctx: Billing, plan_id: str) -> Plan:
    """A plan by id; 404 for an unknown one."""
    plan = (await load_plans(ctx.pool)).get(plan_id)
    if plan is None:
        raise UnknownPlan(f"There is no plan called {plan_id!r}.")
    return plan


def paid_price(ctx: Billing, plan: Plan) -> str:
    """The Stripe price of a paid plan; 503 when it is not configured."""
    price = price_for_plan(ctx.settings, plan.id)
    if price is None:
        raise BillingNotConfigured(f"The {plan.name} plan cannot be bought on this server yet.")
    return price


async def lock_row(conn: asyncpg.Connection, user_id: uuid.UUID) -> Any:
    """The caller's subscription row, locked (created first if it is somehow missing)."""
    await conn.execute(SQL["ensure_subscription"], user_id)
    return await conn.fetchrow(SQL["lock_subscription"])


async def ensure_customer(ctx: Billing, client: stripe.StripeClient, user_id: uuid.UUID) -> str:
    """The user's live Stripe customer id, creating the customer the first time.

    Committed on its own, before any subscription exists, so every later webhook about this
    customer finds its user even if a step after this fails. A customer deleted at Stripe is
    never reused (its `customer.deleted` event may not have arrived yet): a new one replaces it.
    """
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await lock_row(conn, user_id)
        stored = row["stripe_customer_id"]
        if stored and not await _deleted_at_stripe(client, stored):
            return str(stored)
        if stored:
            await conn.execute(SQL["forget_customer"], row["stripe_state_at"], stored)
        params: Any = {"email": row["email"], "metadata": {"user_id": str(user_id)}}
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        if name:
            params["name"] = name
        if ctx.settings.stripe_automatic_tax:
            # Tax is worked out once the producer gives a billing address (POST /tax-details).
            params["tax"] = {"validate_location": "deferred"}
        with stripe_errors():
            customer = await client.v1.customers.create_async(
                params=params,
                # Concurrent first requests of one user share one customer; after a deletion the
                # key names the deleted one, so the replacement is a new customer, not a replay.
                options=idempotency_key(user_id, "customer", stored or "once"),
            )
        created: str = await conn.fetchval(SQL["set_customer"], customer.id)
    return created


async def _deleted_at_stripe(client: stripe.StripeClient, customer_id: str) -> bool:
    with stripe_errors():
        try:
            found = await client.v1.customers.retrieve_async(customer_id)
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                return True
            raise
    return bool(getattr(found, "deleted", False))


def client_secret(remote: dict[str, Any]) -> tuple[str | None, str | None]:
    """The secret the SPA confirms with Stripe.js, and whether it pays or saves a card."""
    setup = remote.get("pending_setup_intent")
    if isinstance(setup, dict) and setup.get("client_secret"):
        return setup["client_secret"], "setup"
    invoice = remote.get("latest_invoice")
    if isinstance(invoice, dict):
        secret = (invoice.get("confirmation_secret") or {}).get("client_secret")
        if secret:
            return secret, "payment"
    return None, None


def subscribe_view(row_id: uuid.UUID, remote: dict[str, Any], tier: str | None) -> dict[str, Any]:
    """The answer of `POST /api/billing/subscribe`."""
    secret, kind = client_secret(remote)
    return {
        "client_secret": secret,
        "intent_type": kind,
        "subscription_id": row_id,
        "stripe_subscription_id": remote.get("id"),
        "status": remote.get("status"),
        "tier": tier,
        "trial_end": remote.get("trial_end"),
    }


async def subscribe(
    ctx: Billing, *, user_id: uuid.UUID, plan_id: str, nonce: str
) -> dict[str, Any]:
    """Start a paid subscription (Pro's trial the first time only); Free needs no Stripe."""
    plan = await find_plan(ctx, plan_id)
    if plan.is_free:
        async with tenant_tx(ctx.pool, user_id) as conn:
            row = await lock_row(conn, user_id)
        if row["stripe_subscription_id"] and row["status"] in LIVE_STATUSES:
            raise AlreadySubscribed("You have a paid subscription; cancel it to return to Free.")
        return subscribe_view(row["id"], {"status": row["status"]}, row["user_tier"])
    client = require_client(ctx.stripe)
    price = paid_price(ctx, plan)
    await ensure_customer(ctx, client, user_id)
    syncer = Syncer(client, ctx.settings)
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await lock_row(conn, user_id)
        remote = await _reusable(client, row, price, nonce, user_id)
        if remote is None:
            # One trial per e-mail identity, across accounts (a deleted and re-made one too).
            trial = bool(plan.trial_days) and not row["had_trial"]
            if trial and await conn.fetchval(SQL["trial_taken"], True):
                trial = False
                await conn.execute(SQL["mark_trial_used"])
            remote = await _create(
                client, row, user_id=user_id, plan=plan, price=price, nonce=nonce, trial=trial,
                settings=ctx.settings,
            )  # fmt: skip
            await write_audit(
                conn, action="billing.subscribed", user_id=user_id, target_type="subscription",
                target_id=remote["id"], details={"plan": plan.id, "status": remote["status"]},
            )  # fmt: skip
        tier = await syncer.apply(conn, user_id=user_id, row=row, remote=remote, ours=True)
    if tier is not None:
        await publish_tier(ctx.redis, user_id, tier)
    return subscribe_view(row["id"], remote, tier)


async def _reusable(
    client: stripe.StripeClient, row: Any, price: str, nonce: str, user_id: uuid.UUID
) -> dict[str, Any] | None:
    """The stored subscription when this request is a retry or the same unpaid plan again."""
    sub_id = row["stripe_subscription_id"]
    if not sub_id or row["status"] not in LIVE_STATUSES | {"incomplete", "paused"}:
        return None
    with stripe_errors():
        remote = as_dict(
            await client.v1.subscriptions.retrieve_async(
                sub_id, params={"expand": SUBSCRIPTION_EXPAND}
            )
        )
    retry = (remote.get("metadata") or {}).get("request") == nonce
    if remote["status"] in LIVE_STATUSES:
        if retry:
            return remote
        raise AlreadySubscribed()
    if remote["status"] == "incomplete" and (retry or price_of(remote) == price):
        return remote  # a double click, or coming back to pay: same subscription, same secret
    if remote["status"] in ("incomplete", "paused"):
        with stripe_errors():
            # An unpaid subscription for another plan is abandoned, never left to pile up.
            await client.v1.subscriptions.cancel_async(
                sub_id, options=idempotency_key(user_id, "abandon", sub_id)
            )
    return None


async def _create(
    client: stripe.StripeClient, row: Any, *, user_id: uuid.UUID, plan: Plan, price: str,
    nonce: str, trial: bool, settings: StripeSection,
) -> dict[str, Any]:  # fmt: skip
    params: Any = {
        "customer": row["stripe_customer_id"],
        "items": [{"price": price}],
        "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "metadata": {"user_id": str(user_id), "plan": plan.id, "request": nonce[:100]},
        "expand": SUBSCRIPTION_EXPAND,
    }
    if trial:
        params["trial_period_days"] = plan.trial_days
        # Without a card by the trial's end Stripe cancels (or pauses) instead of billing nothing
        # and leaving the plan running past due.
        params["trial_settings"] = {
            "end_behavior": {"missing_payment_method": settings.stripe_trial_end_behavior}
        }
    if settings.stripe_automatic_tax:
        params["automatic_tax"] = {"enabled": True}
    with stripe_errors():
        created = await client.v1.subscriptions.create_async(
            params=params, options=idempotency_key(user_id, f"subscribe-{plan.id}", nonce)
        )
    return as_dict(created)


async def portal_url(ctx: Billing, *, user_id: uuid.UUID, nonce: str) -> str:
    """A Stripe Customer Portal session for cards, invoices and cancellation."""
    client = require_client(ctx.stripe)
    customer = await ensure_customer(ctx, client, user_id)
    with stripe_errors():
        session = await client.v1.billing_portal.sessions.create_async(
            params={"customer": customer,
                    "return_url": f"{ctx.settings.public_url.rstrip('/')}/billing"},
            options=idempotency_key(user_id, "portal", nonce),
        )  # fmt: skip
    return str(session.url)
