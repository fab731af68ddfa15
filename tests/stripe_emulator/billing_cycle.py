"""What time and money do to a subscription: renewals, trials, collection, retries, endings."""

from __future__ import annotations

from typing import Any

from . import invoices
from .invoices import ChargeResult
from .payments import charge_outcome
from .periods import period_end_after
from .state import DAY, EmulatorState, StripeObject

LIVE_STATUSES = ("trialing", "active", "past_due", "unpaid")


def product_name(state: EmulatorState, price: StripeObject) -> str:
    """Return the name of a price's product for line descriptions."""
    product = state.objects.get(price["product"], {})
    return str(product.get("name", price["product"]))


def item_line(
    state: EmulatorState,
    sub: StripeObject,
    item: StripeObject,
    period: tuple[int, int],
    *,
    trial: bool = False,
) -> StripeObject:
    """Bill one subscription item for a whole period (zero during a trial)."""
    price, quantity = item["price"], item["quantity"]
    name = product_name(state, price)
    rate = f"{price['unit_amount']} {price['currency']} / {price['recurring']['interval']}"
    description = (
        f"Trial period for {name}"
        if trial
        else f"{quantity} \N{MULTIPLICATION SIGN} {name} (at {rate})"
    )
    return invoices.line_item(
        state,
        amount=0 if trial else price["unit_amount"] * quantity,
        description=description,
        period=period,
        price=price,
        quantity=quantity,
        proration=False,
        subscription=sub["id"],
        subscription_item=item["id"],
    )


def default_method(state: EmulatorState, sub: StripeObject) -> str | None:
    """Return the payment method Stripe would charge off-session for this subscription."""
    if sub["default_payment_method"]:
        return str(sub["default_payment_method"])
    customer = state.objects.get(sub["customer"], {})
    method: Any = (customer.get("invoice_settings") or {}).get("default_payment_method")
    return str(method) if method else None


def take_pending_lines(state: EmulatorState, sub: StripeObject) -> list[StripeObject]:
    """Remove and return prorations waiting for the subscription's next invoice."""
    pending: list[StripeObject] = state.meta[sub["id"]].pop("pending_lines", [])
    return pending


def bill(
    state: EmulatorState,
    sub: StripeObject,
    lines: list[StripeObject],
    *,
    billing_reason: str,
    usage_period: tuple[int, int],
) -> StripeObject:
    """Create the subscription's next invoice and make it the latest one."""
    invoice = invoices.create_invoice(
        state,
        customer=state.objects[sub["customer"]],
        subscription=sub["id"],
        lines=lines,
        billing_reason=billing_reason,
        usage_period=usage_period,
        currency=sub["currency"],
        automatic_tax=sub["automatic_tax"]["enabled"],
    )
    sub["latest_invoice"] = invoice["id"]
    return invoice


def collect(
    state: EmulatorState, invoice: StripeObject, method_id: str | None = None
) -> ChargeResult:
    """Charge an open invoice off-session and move its subscription accordingly."""
    sub = state.objects.get(invoice["subscription"] or "")
    if method_id is None and sub is not None:
        method_id = default_method(state, sub)
    result = invoices.charge(state, invoice, method_id)
    react(state, invoice, result)
    return result


def react(state: EmulatorState, invoice: StripeObject, result: ChargeResult) -> None:
    """Update the subscription after one of its invoices was paid or failed."""
    sub = state.objects.get(invoice["subscription"] or "")
    if sub is None or sub["status"] in ("canceled", "incomplete_expired"):
        return
    if state.meta[sub["id"]].get("pending_invoice") == invoice["id"]:
        # A pending update's invoice: paid applies the change; unpaid leaves the plan alone.
        if result == "paid":
            apply_pending_update(state, sub)
        return
    with state.tracking(sub, "customer.subscription.updated"):
        if result == "paid":
            _save_default_method(state, sub, invoice)
            if sub["status"] in ("incomplete", "past_due", "unpaid") and not (
                invoices.open_invoices(state, sub["id"])
            ):
                sub["status"] = "active"
            return
        if invoice["billing_reason"] == "subscription_create":
            return  # stays incomplete until paid on-session or expired
        if sub["status"] in ("active", "trialing"):
            sub["status"] = "past_due"
        exhausted = invoice["next_payment_attempt"] is None
        if exhausted and state.settings.after_final_failure == "unpaid":
            sub["status"] = "unpaid"
    if invoice["next_payment_attempt"] is None and state.settings.after_final_failure == "cancel":
        cancel_now(state, sub, reason="payment_failed")


def apply_pending_update(state: EmulatorState, sub: StripeObject) -> None:
    """The pending update's invoice was paid: the change takes effect now."""
    with state.tracking(sub, "customer.subscription.updated"):
        pending = sub["pending_update"]
        sub["items"]["data"] = pending["subscription_items"]
        sub["items"]["total_count"] = len(sub["items"]["data"])
        sub["pending_update"] = None
    state.meta[sub["id"]].pop("pending_invoice", None)
    state.emit("customer.subscription.pending_update_applied", sub)


def expire_pending_update(state: EmulatorState, sub: StripeObject) -> None:
    """Nobody paid within 23 hours: the change is dropped (its invoice stays open)."""
    with state.tracking(sub, "customer.subscription.updated"):
        sub["pending_update"] = None
    invoice = state.objects.get(state.meta[sub["id"]].pop("pending_invoice", ""))
    if invoice is not None and invoice["status"] == "open":
        invoices.void(state, invoice)
    state.emit("customer.subscription.pending_update_expired", sub)


def _save_default_method(state: EmulatorState, sub: StripeObject, invoice: StripeObject) -> None:
    settings = sub.get("payment_settings") or {}
    if settings.get("save_default_payment_method") != "on_subscription":
        return
    if invoice["payment_intent"] is None or sub["default_payment_method"]:
        return
    intent = state.objects[invoice["payment_intent"]]
    sub["default_payment_method"] = intent["payment_method"]


def set_period(sub: StripeObject, start: int, end: int) -> None:
    """Move the subscription and each item to a new billing period."""
    sub["current_period_start"], sub["current_period_end"] = start, end
    for item in sub["items"]["data"]:
        item["current_period_start"], item["current_period_end"] = start, end


def renew(state: EmulatorState, sub: StripeObject) -> None:
    """Handle a period end: cancel if asked, else start the next period and invoice it."""
    end = sub["current_period_end"]
    if sub["cancel_at_period_end"] or (sub["cancel_at"] and sub["cancel_at"] <= end):
        cancel_now(state, sub, reason="cancellation_requested")
        return
    ending_trial = sub["status"] == "trialing"
    if ending_trial and default_method(state, sub) is None:
        behaviour = sub["trial_settings"]["end_behavior"]["missing_payment_method"]
        if behaviour == "cancel":
            cancel_now(state, sub, reason="cancellation_requested")
            return
        if behaviour == "pause":
            with state.tracking(sub, "customer.subscription.updated"):
                sub["status"] = "paused"
            state.emit("customer.subscription.paused", sub)
            return
    price = sub["items"]["data"][0]["price"]
    recurring = price["recurring"]
    start = sub["current_period_start"]
    with state.tracking(sub, "customer.subscription.updated"):
        new_end = period_end_after(
            sub["billing_cycle_anchor"], end, recurring["interval"], recurring["interval_count"]
        )
        set_period(sub, end, new_end)
        if ending_trial:
            sub["status"] = "active"
        lines = [item_line(state, sub, item, (end, new_end)) for item in sub["items"]["data"]]
        lines.extend(take_pending_lines(state, sub))
        invoice = bill(
            state, sub, lines, billing_reason="subscription_cycle", usage_period=(start, end)
        )
    if invoice["status"] == "open" and sub["status"] != "unpaid":
        collect(state, invoice)


def cancel_now(state: EmulatorState, sub: StripeObject, *, reason: str) -> None:
    """End a subscription at the current time and stop collecting its open invoices."""
    now = state.now()
    sub.update(
        status="canceled",
        ended_at=now,
        canceled_at=sub["canceled_at"] or now,
    )
    sub["cancellation_details"]["reason"] = sub["cancellation_details"]["reason"] or reason
    for invoice in invoices.open_invoices(state, sub["id"]):
        invoice["next_payment_attempt"] = None
    schedule = state.objects.get(sub["schedule"] or "")
    if schedule is not None and schedule["status"] in ("active", "not_started"):
        schedule.update(status="canceled", canceled_at=now, current_phase=None)
        state.emit("subscription_schedule.canceled", schedule)
    state.emit("customer.subscription.deleted", sub)


def expire_incomplete(state: EmulatorState, sub: StripeObject) -> None:
    """Expire a subscription whose first invoice went unpaid for 23 hours."""
    for invoice in invoices.open_invoices(state, sub["id"]):
        invoices.void(state, invoice)
    sub.update(status="incomplete_expired", ended_at=state.now())
    state.emit("customer.subscription.deleted", sub)


def send_trial_will_end(state: EmulatorState, sub: StripeObject) -> None:
    """Warn that the trial ends soon (Stripe sends this three days ahead)."""
    state.meta[sub["id"]]["trial_will_end_sent"] = True
    state.emit("customer.subscription.trial_will_end", sub)


def trial_will_end_at(state: EmulatorState, sub: StripeObject) -> int | None:
    """Return when ``trial_will_end`` is due, or ``None`` if sent or not trialing."""
    if sub["status"] != "trialing" or state.meta[sub["id"]].get("trial_will_end_sent"):
        return None
    due: int = max(sub["trial_start"], sub["trial_end"] - state.settings.trial_will_end_days * DAY)
    return due


def upcoming_due(state: EmulatorState, sub: StripeObject) -> int | None:
    """When ``invoice.upcoming`` is due for this period (days before renewal), if still unsent."""
    if sub["cancel_at_period_end"] or sub["status"] not in ("trialing", "active", "past_due"):
        return None
    end = sub["current_period_end"]
    if state.meta[sub["id"]].get("upcoming_sent_for") == end:
        return None
    return max(sub["current_period_start"], end - state.settings.upcoming_days * DAY)


def send_upcoming(state: EmulatorState, sub: StripeObject) -> None:
    """Announce the renewal invoice (an unsaved preview: it has no id yet, as on Stripe)."""
    from .preview import preview_invoice  # preview imports this module

    state.meta[sub["id"]]["upcoming_sent_for"] = sub["current_period_end"]
    invoice = preview_invoice(state, {"subscription": sub["id"]})
    invoice.pop("id", None)
    state.emit("invoice.upcoming", invoice)


def first_charge_would_fail(state: EmulatorState, customer: str, method_id: str | None) -> bool:
    """Say whether an immediate off-session charge on ``method_id`` would not succeed."""
    return charge_outcome(state, method_id, customer) != "succeed"
