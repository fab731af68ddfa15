"""Stripe webhooks: verified, stored once per event id, applied as Stripe's current state.

Each event is handled in one transaction of its user: the event id is recorded first (a
redelivery, even a concurrent one, waits on the primary key and then sees it is not new), the
subscription row is locked, and the subscription is fetched again from Stripe so an event that
arrives late or out of order still leaves the state Stripe has now. If anything fails the
transaction rolls back, the id is not kept, and Stripe's retry runs it again.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import stripe

from sp404.accounts.outbox import enqueue_mail
from sp404.billing.checkout import lock_row
from sp404.billing.context import Billing
from sp404.billing.enforced_tier import set_enforced_tier
from sp404.billing.errors import BillingNotConfigured, InvalidWebhook
from sp404.billing.invoices import archive_invoice, invoice_subscription
from sp404.billing.mails import (
    action_required_mail,
    dispute_closed_mail,
    dispute_operator_mail,
    payment_failed_mail,
    receipt_mail,
    trial_ending_mail,
)
from sp404.billing.plans import load_plans
from sp404.billing.stripe_api import as_dict
from sp404.billing.sync import Syncer, object_id, timestamp
from sp404.billing.tier_cache import publish_tier
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.errors import NotFound
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("billing.webhooks")
# A signature counts within this many seconds of its timestamp, before or after.
TOLERANCE_S = 300


def _signed_at(signature: str) -> int:
    """The `t=` of a Stripe-Signature header, read as the SDK reads it (the first one)."""
    return int(next(item.split("=", 2)[1] for item in signature.split(",") if item[:2] == "t="))


def verify(payload: bytes, signature: str | None, secret: str | None) -> dict[str, Any]:
    """The event of a correctly signed, fresh payload; 400 for anything else."""
    if not secret:
        raise BillingNotConfigured("Webhooks are not configured on this server.")
    if not signature:
        raise InvalidWebhook("The Stripe-Signature header is missing.")
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=TOLERANCE_S)
        event: dict[str, Any] = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidWebhook() from exc
    # The SDK refuses only old timestamps. One from the future would stay valid until then, so
    # a signature leaked once could be replayed for as long as its forger chose.
    if _signed_at(signature) > time.time() + TOLERANCE_S:
        raise InvalidWebhook("The webhook signature's timestamp is in the future.")
    return event


@dataclass
class EventContext:
    """One event being applied inside its user's transaction."""

    ctx: Billing
    conn: asyncpg.Connection
    user_id: uuid.UUID
    row: Any
    event: dict[str, Any]
    tier: str | None = None

    @property
    def obj(self) -> dict[str, Any]:
        found: dict[str, Any] = self.event["data"]["object"]
        return found

    @property
    def created(self) -> datetime | None:
        return timestamp(self.event.get("created"))

    @property
    def client(self) -> stripe.StripeClient | None:
        return self.ctx.stripe.client if self.ctx.stripe else None

    async def sync_subscription(self, subscription_id: str | None, payload: Any = None) -> None:
        """Mirror the subscription as Stripe has it now (or, with no API key, as the event says)."""
        if not subscription_id:
            return
        syncer = Syncer(self.client, self.ctx.settings)
        if self.client is not None:
            try:
                remote = await syncer.fetch(subscription_id)
            except stripe.InvalidRequestError:
                log.warning("subscription not found", extra={"subscription": subscription_id})
                return
        else:
            state_at = self.row["stripe_state_at"]
            if payload is None or (state_at and self.created and self.created < state_at):
                return  # older than what is stored
            remote = payload
        self.tier = await syncer.apply(
            self.conn, user_id=self.user_id, row=self.row, remote=remote,
            event_at=self.created, public_url=self.ctx.settings.public_url,
        )  # fmt: skip

    async def mail(self, kind: str, message: tuple[str, str]) -> None:
        subject, body = message
        await enqueue_mail(
            self.conn, user_id=self.user_id, kind=kind, to=self.row["email"], subject=subject,
            body=body,
        )  # fmt: skip

    async def customer_has_card(self) -> bool:
        """Whether the customer has a default card Stripe can charge when a trial ends."""
        if self.client is None or not self.row["stripe_customer_id"]:
            return False
        customer = as_dict(
            await self.client.v1.customers.retrieve_async(self.row["stripe_customer_id"])
        )
        return bool((customer.get("invoice_settings") or {}).get("default_payment_method"))

    async def current_invoice(self) -> dict[str, Any]:
        """The invoice as Stripe has it now (the event's copy may be older)."""
        if self.client is None:
            return self.obj
        try:
            return as_dict(await self.client.v1.invoices.retrieve_async(self.obj["id"]))
        except stripe.InvalidRequestError:
            return self.obj


Handler = Callable[[EventContext], Awaitable[None]]


async def _subscription_event(ev: EventContext) -> None:
    await ev.sync_subscription(ev.obj["id"], ev.obj)


async def _trial_will_end(ev: EventContext) -> None:
    await ev.sync_subscription(ev.obj["id"], ev.obj)
    plans = await load_plans(ev.ctx.pool)
    tier = ev.tier or ev.row["user_tier"]
    name = plans[tier].name if tier in plans else tier
    url = f"{ev.ctx.settings.public_url.rstrip('/')}/billing"
    has_card = bool(ev.obj.get("default_payment_method")) or await ev.customer_has_card()
    await ev.mail(
        "trial_will_end",
        trial_ending_mail(name, timestamp(ev.obj.get("trial_end")), url, has_card=has_card),
    )


def _invoice_handler(mail: Callable[[dict[str, Any]], tuple[str, str] | None] | None) -> Handler:
    async def handle(ev: EventContext) -> None:
        invoice = await ev.current_invoice()
        await archive_invoice(ev.conn, user_id=ev.user_id, invoice=invoice)
        # An invoice can arrive before its subscription's own events: sync from it too.
        await ev.sync_subscription(invoice_subscription(invoice))
        message = mail(ev.obj) if mail else None
        if message is not None:
            await ev.mail(f"invoice_{ev.event['type'].split('.', 1)[1]}", message)

    return handle


def _receipt(invoice: dict[str, Any]) -> tuple[str, str] | None:
    paid = int(invoice.get("amount_paid") or 0)
    if paid <= 0:
        return None  # a trial's zero invoice needs no receipt
    return receipt_mail(
        invoice.get("number"), paid, invoice.get("currency") or "usd",
        invoice.get("hosted_invoice_url"),
    )  # fmt: skip


def _failure(invoice: dict[str, Any]) -> tuple[str, str]:
    return payment_failed_mail(
        int(invoice.get("amount_due") or 0), invoice.get("currency") or "usd",
        invoice.get("hosted_invoice_url"),
    )  # fmt: skip


def _action(invoice: dict[str, Any]) -> tuple[str, str]:
    return action_required_mail(invoice.get("hosted_invoice_url"))


async def _customer_deleted(ev: EventContext) -> None:
    await ev.conn.execute(SQL["forget_customer"], ev.created, ev.obj["id"])
    await set_enforced_tier(ev.conn, "free")
    ev.tier = "free"


async def _resync(ev: EventContext) -> None:
    """Mirror the subscription again now that the row changed (a dispute flag, say)."""
    ev.row = await lock_row(ev.conn, ev.user_id)
    await ev.sync_subscription(ev.row["stripe_subscription_id"])


async def _dispute_created(ev: EventContext) -> None:
    dispute = ev.obj
    await ev.conn.execute(SQL["record_dispute"], ev.created, dispute["id"])
    await write_audit(
        ev.conn, action="billing.dispute_opened", user_id=ev.user_id, target_type="dispute",
        target_id=dispute["id"],
        details={"amount": dispute.get("amount"), "reason": dispute.get("reason")},
    )  # fmt: skip
    operator = ev.ctx.settings.billing_operator_email
    if operator:
        subject, body = dispute_operator_mail(
            ev.row["email"], str(ev.user_id), int(dispute.get("amount") or 0),
            dispute.get("currency") or "usd", str(dispute.get("reason")), dispute["id"],
        )  # fmt: skip
        await enqueue_mail(
            ev.conn, user_id=ev.user_id, kind="dispute_operator", to=operator, subject=subject,
            body=body,
        )  # fmt: skip
    else:
        log.warning("dispute opened; no operator e-mail set", extra={"dispute": dispute["id"]})
    await _resync(ev)


async def _dispute_closed(ev: EventContext) -> None:
    # Whatever the outcome, the flag goes and the operator hears it: won, the money stays; lost,
    # it went back to the cardholder and the subscription runs on unless the operator ends it.
    dispute = ev.obj
    if ev.row["dispute_id"] != dispute["id"]:
        return
    await ev.conn.execute(SQL["record_dispute"], None, None)
    status = str(dispute.get("status"))
    await write_audit(
        ev.conn, action="billing.dispute_closed", user_id=ev.user_id, target_type="dispute",
        target_id=dispute["id"], details={"status": status},
    )  # fmt: skip
    operator = ev.ctx.settings.billing_operator_email
    if operator:
        subject, body = dispute_closed_mail(ev.row["email"], status, dispute["id"])
        await enqueue_mail(
            ev.conn, user_id=ev.user_id, kind="dispute_operator", to=operator, subject=subject,
            body=body,
        )  # fmt: skip
    await _resync(ev)


async def _invoice_of_payment(ev: EventContext, payment_intent: str | None) -> str | None:
    if ev.client is None or not payment_intent:
        return None
    listed = await ev.client.v1.invoice_payments.list_async(
        params={"payment": {"type": "payment_intent", "payment_intent": payment_intent}}
    )
    return object_id(listed.data[0].invoice) if listed.data else None


async def _charge_refunded(ev: EventContext) -> None:
    charge = ev.obj
    invoice_id = await _invoice_of_payment(ev, object_id(charge.get("payment_intent")))
    if invoice_id is not None:
        await ev.conn.execute(
            SQL["record_refund"], invoice_id, int(charge.get("amount_refunded") or 0)
        )


async def _credit_note(ev: EventContext) -> None:
    invoice_id = object_id(ev.obj.get("invoice"))
    if ev.client is None or invoice_id is None:
        return
    invoice = as_dict(await ev.client.v1.invoices.retrieve_async(invoice_id))
    await archive_invoice(ev.conn, user_id=ev.user_id, invoice=invoice)
    credited = int(invoice.get("pre_payment_credit_notes_amount") or 0) + int(
        invoice.get("post_payment_credit_notes_amount") or 0
    )
    await ev.conn.execute(SQL["record_credit"], invoice_id, credited)


async def _schedule_event(ev: EventContext) -> None:
    await ev.sync_subscription(object_id(ev.obj.get("subscription")))


HANDLERS: dict[str, Handler] = {
    "customer.subscription.created": _subscription_event,
    "customer.subscription.updated": _subscription_event,
    "customer.subscription.deleted": _subscription_event,
    "customer.subscription.paused": _subscription_event,
    "customer.subscription.resumed": _subscription_event,
    "customer.subscription.trial_will_end": _trial_will_end,
    "customer.subscription.pending_update_applied": _subscription_event,
    "customer.subscription.pending_update_expired": _subscription_event,
    "invoice.updated": _invoice_handler(None),
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
    "charge.refunded": _charge_refunded,
    "credit_note.created": _credit_note,
    "credit_note.updated": _credit_note,
    "credit_note.voided": _credit_note,
    "invoice.finalized": _invoice_handler(None),
    "invoice.paid": _invoice_handler(_receipt),
    "invoice.payment_failed": _invoice_handler(_failure),
    "invoice.payment_action_required": _invoice_handler(_action),
    "invoice.voided": _invoice_handler(None),
    "invoice.marked_uncollectible": _invoice_handler(None),
    "customer.deleted": _customer_deleted,
    "subscription_schedule.released": _schedule_event,
    "subscription_schedule.updated": _schedule_event,
    "subscription_schedule.completed": _schedule_event,
    "subscription_schedule.canceled": _schedule_event,
}


async def _customer_of(ctx: Billing, obj: dict[str, Any]) -> str | None:
    if obj.get("object") == "customer":
        return object_id(obj.get("id"))
    if obj.get("object") == "dispute" and ctx.stripe is not None:
        # A dispute names its charge, not the customer.
        try:
            charge = await ctx.stripe.client.v1.charges.retrieve_async(str(obj.get("charge")))
        except stripe.InvalidRequestError:
            return None
        return object_id(charge.customer)
    return object_id(obj.get("customer"))


async def handle_event(ctx: Billing, event: dict[str, Any]) -> str:
    """Apply one verified event; says whether it was `applied`, a `duplicate` or `ignored`."""
    handler = HANDLERS.get(event["type"])
    customer = await _customer_of(ctx, event["data"]["object"]) if handler else None
    created = timestamp(event.get("created"))
    user_id: uuid.UUID | None = None
    if handler is not None and customer:
        async with tenant_tx(ctx.pool, None) as conn:
            user_id = await conn.fetchval(SQL["user_for_stripe_customer"], customer)
    if user_id is not None and handler is not None:
        try:
            async with tenant_tx(ctx.pool, user_id) as conn:
                if not await conn.fetchval(
                    SQL["record_stripe_event"], event["id"], event["type"], created
                ):
                    return "duplicate"
                row = await lock_row(conn, user_id)
                if row is None:
                    # Deleted between the customer lookup and here (its own cancellation's
                    # events race the deletion): handled as below, like any deleted account.
                    raise NotFound()
                ev = EventContext(ctx, conn, user_id, row, event)
                await handler(ev)
        except NotFound:
            # The account was deleted while this event was in flight (its own cancellation).
            log.info("event for a deleted account", extra={"event": event["id"]})
        else:
            if ev.tier is not None:
                await publish_tier(ctx.redis, user_id, ev.tier)
            return "applied"
    # Not for us (a type we skip, a customer with no account): seen once is enough.
    async with tenant_tx(ctx.pool, None) as conn:
        first = await conn.fetchval(SQL["record_stripe_event"], event["id"], event["type"], created)
    return "ignored" if first else "duplicate"
