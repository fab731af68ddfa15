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
    """The user's Stripe customer id, creating the customer the first time.

    Committed on its own, before any subscription exists, so every later webhook about this
    customer finds its user even if a step after this fails.
    """
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await lock_row(conn, user_id)
        if row["stripe_customer_id"]:
            return str(row["stripe_customer_id"])
        params: Any = {"email": row["email"], "metadata": {"user_id": str(user_id)}}
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        if name:
            params["name"] = name
        with stripe_errors():
            customer = await client.v1.customers.create_async(
                params=params,
                # Without a nonce: concurrent first requests of one user share one customer.
                options=idempotency_key(user_id, "customer", "once"),
            )
        stored: str = await conn.fetchval(SQL["set_customer"], customer.id)
    return stored


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
        remote = await _reusable(client, row, price, nonce)
        if remote is None:
            remote = await _create(
                client, row, user_id=user_id, plan=plan, price=price, nonce=nonce
            )
            await write_audit(
                conn, action="billing.subscribed", user_id=user_id, target_type="subscription",
                target_id=remote["id"], details={"plan": plan.id, "status": remote["status"]},
            )  # fmt: skip
        tier = await syncer.apply(conn, user_id=user_id, row=row, remote=remote, ours=True)
    if tier is not None:
        await publish_tier(ctx.redis, user_id, tier)
    return subscribe_view(row["id"], remote, tier)


async def _reusable(
    client: stripe.StripeClient, row: Any, price: str, nonce: str
) -> dict[str, Any] | None:
    """The stored subscription when this request is a retry or the same unpaid plan again."""
    sub_id = row["stripe_subscription_id"]
    if not sub_id or row["status"] not in LIVE_STATUSES | {"incomplete"}:
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
    if remote["status"] == "incomplete":
        if retry or price_of(remote) == price:
            return remote  # a double click, or coming back to pay: same subscription, same secret
        with stripe_errors():
            # An unpaid subscription for another plan is abandoned, never left to pile up.
            await client.v1.subscriptions.cancel_async(sub_id)
    return None


async def _create(
    client: stripe.StripeClient, row: Any, *, user_id: uuid.UUID, plan: Plan, price: str, nonce: str
) -> dict[str, Any]:
    params: Any = {
        "customer": row["stripe_customer_id"],
        "items": [{"price": price}],
        "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "metadata": {"user_id": str(user_id), "plan": plan.id, "request": nonce[:100]},
        "expand": SUBSCRIPTION_EXPAND,
    }
    if plan.trial_days and not row["had_trial"]:
        params["trial_period_days"] = plan.trial_days
    with stripe_errors():
        created = await client.v1.subscriptions.create_async(
            params=params, options=idempotency_key(user_id, f"subscribe-{plan.id}", nonce)
        )
    return as_dict(created)


async def portal_url(ctx: Billing, *, user_id: uuid.UUID) -> str:
    """A Stripe Customer Portal session for cards, invoices and cancellation."""
    client = require_client(ctx.stripe)
    customer = await ensure_customer(ctx, client, user_id)
    with stripe_errors():
        session = await client.v1.billing_portal.sessions.create_async(
            params={"customer": customer,
                    "return_url": f"{ctx.settings.public_url.rstrip('/')}/billing"}
        )  # fmt: skip
    return str(session.url)
