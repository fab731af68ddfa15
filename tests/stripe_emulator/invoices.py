"""Invoices: build lines, finalize (number, PaymentIntent), charge, and record the result.

``period_start``/``period_end`` follow Stripe: the usage period *before* the invoice (both equal
the creation time on a first invoice); the service period a line pays for is ``line.period``.
"""

from __future__ import annotations

from typing import Any, Literal

from .payments import Outcome, apply_charge, charge_outcome, create_payment_intent
from .state import DAY, EmulatorState, StripeObject

ChargeResult = Literal["paid", "failed", "requires_action"]


def line_item(
    state: EmulatorState,
    *,
    amount: int,
    description: str,
    period: tuple[int, int],
    price: StripeObject | None,
    quantity: int,
    proration: bool,
    subscription: str | None,
    subscription_item: str | None,
) -> StripeObject:
    """Build one invoice line in the shape of Stripe's ``line_item`` object."""
    return {
        "id": state.new_id("il"),
        "object": "line_item",
        "amount": amount,
        "currency": price["currency"] if price else "usd",
        "description": description,
        "discountable": True,
        "livemode": False,
        "metadata": {},
        "parent": {
            "type": "subscription_item_details",
            "subscription_item_details": {
                "proration": proration,
                "subscription": subscription,
                "subscription_item": subscription_item,
            },
        },
        "period": {"start": period[0], "end": period[1]},
        "pricing": {
            "type": "price_details",
            "price_details": {
                "price": price["id"] if price else None,
                "product": price["product"] if price else None,
            },
            "unit_amount_decimal": str(price["unit_amount"]) if price else None,
        },
        "proration": proration,
        "quantity": quantity,
        "subscription": subscription,
    }


def create_invoice(
    state: EmulatorState,
    *,
    customer: StripeObject,
    subscription: str | None,
    lines: list[StripeObject],
    billing_reason: str,
    usage_period: tuple[int, int],
    currency: str,
    automatic_tax: bool = False,
) -> StripeObject:
    """Create and finalize an invoice, applying the customer's credit balance."""
    now = state.now()
    invoice_id = state.new_id("in")
    total = sum(line["amount"] for line in lines)
    starting_balance = int(customer.get("balance", 0))
    remaining = total + starting_balance
    amount_due = max(0, remaining)
    with state.tracking(customer, "customer.updated"):
        customer["balance"] = min(0, remaining)
    invoice = state.put(
        {
            "id": invoice_id,
            "object": "invoice",
            "account_country": "US",
            "account_name": "SP-404 Sample Cloud (emulated)",
            "amount_due": amount_due,
            "amount_overpaid": 0,
            "amount_paid": 0,
            "amount_remaining": amount_due,
            "amount_shipping": 0,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": True,
            "automatic_tax": _automatic_tax(customer, automatic_tax),
            "billing_reason": billing_reason,
            "collection_method": "charge_automatically",
            "confirmation_secret": None,
            "created": now,
            "currency": currency,
            "customer": customer["id"],
            "customer_email": customer.get("email"),
            "customer_name": customer.get("name"),
            "default_payment_method": None,
            "description": None,
            "discounts": [],
            "due_date": None,
            "effective_at": None,
            "ending_balance": None,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "lines": {
                "object": "list",
                "data": lines,
                "has_more": False,
                "total_count": len(lines),
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None,
            "number": None,
            "parent": (
                {
                    "type": "subscription_details",
                    "quote_details": None,
                    "subscription_details": {"metadata": {}, "subscription": subscription},
                }
                if subscription
                else None
            ),
            # Older API versions' fields, kept so code written against them still reads.
            "payment_intent": None,
            "subscription": subscription,
            "payments": {"object": "list", "data": [], "has_more": False, "total_count": 0},
            "period_end": usage_period[1],
            "period_start": usage_period[0],
            "starting_balance": starting_balance,
            "status": "draft",
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "subtotal": total,
            "subtotal_excluding_tax": total,
            "total": total,
            "total_excluding_tax": total,
            "webhooks_delivered_at": now,
        }
    )
    state.emit("invoice.created", invoice)
    _finalize(state, invoice, customer)
    return invoice


def _finalize(state: EmulatorState, invoice: StripeObject, customer: StripeObject) -> None:
    now = state.now()
    invoice_id = invoice["id"]
    invoice.update(
        status="open",
        number=state.next_invoice_number(customer["invoice_prefix"]),
        effective_at=now,
        ending_balance=customer["balance"],
        hosted_invoice_url=f"{state.base_url}/invoice/{invoice_id}",
        invoice_pdf=f"{state.base_url}/invoice/{invoice_id}/pdf",
    )
    invoice["status_transitions"]["finalized_at"] = now
    # What the invoice shows of the customer is fixed when it is finalized.
    invoice["customer_address"] = customer.get("address")
    invoice["customer_tax_ids"] = [
        {"type": tax_id["type"], "value": tax_id["value"]}
        for tax_id in reversed(state.find("tax_id", lambda t: t["customer"] == customer["id"]))
    ]
    if invoice["amount_due"] > 0:
        intent = create_payment_intent(
            state,
            amount=invoice["amount_due"],
            currency=invoice["currency"],
            customer=customer["id"],
            description=_describe(invoice["billing_reason"]),
        )
        state.meta[intent["id"]]["invoice"] = invoice_id
        invoice["payment_intent"] = intent["id"]
        invoice["confirmation_secret"] = {
            "client_secret": intent["client_secret"],
            "type": "payment_intent",
        }
        invoice["payments"]["data"] = [
            {
                "id": state.new_id("inpay"),
                "object": "invoice_payment",
                "amount_paid": None,
                "amount_requested": invoice["amount_due"],
                "created": now,
                "currency": invoice["currency"],
                "invoice": invoice_id,
                "is_default": True,
                "livemode": False,
                "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
                "status": "open",
                "status_transitions": {"canceled_at": None, "paid_at": None},
            }
        ]
        invoice["payments"]["total_count"] = 1
        state.emit("payment_intent.created", intent)
    state.emit("invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        _mark_paid(state, invoice)


def _describe(billing_reason: str) -> str:
    return {
        "subscription_create": "Subscription creation",
        "subscription_cycle": "Subscription update",
        "subscription_update": "Subscription update",
    }.get(billing_reason, "Invoice payment")


def _automatic_tax(customer: StripeObject, enabled: bool) -> StripeObject:
    """Stripe Tax on an invoice: the emulator computes no tax, but says whether it could."""
    if not enabled:
        return {"disabled_reason": None, "enabled": False, "liability": None, "provider": None,
                "status": None}  # fmt: skip
    located = bool((customer.get("address") or {}).get("country"))
    return {
        "disabled_reason": None,
        "enabled": True,
        "liability": {"type": "self"},
        "provider": "stripe",
        "status": "complete" if located else "requires_location_inputs",
    }


def charge(state: EmulatorState, invoice: StripeObject, method_id: str | None) -> ChargeResult:
    """Charge an open invoice with ``method_id`` (or nothing) and record how it went."""
    with state.tracking(invoice, "invoice.updated"):
        intent = state.get("payment_intent", invoice["payment_intent"])
        outcome: Outcome | None = charge_outcome(state, method_id, invoice["customer"])
        status = apply_charge(state, intent, method_id, outcome)
        invoice["attempted"] = True
        invoice["attempt_count"] += 1
        if status == "succeeded":
            _mark_paid(state, invoice)
            return "paid"
        invoice["next_payment_attempt"] = _next_attempt(state, invoice)
    if status == "requires_action":
        state.emit("invoice.payment_action_required", invoice)
        return "requires_action"
    state.emit("invoice.payment_failed", invoice)
    return "failed"


def complete_action(state: EmulatorState, invoice: StripeObject) -> ChargeResult:
    """Finish a payment whose customer completed authentication (3-D Secure) on-session."""
    with state.tracking(invoice, "invoice.updated"):
        intent = state.get("payment_intent", invoice["payment_intent"])
        apply_charge(state, intent, intent["payment_method"], "succeed")
        _mark_paid(state, invoice)
    return "paid"


def _next_attempt(state: EmulatorState, invoice: StripeObject) -> int | None:
    # A first invoice is never retried: the subscription stays incomplete and then expires.
    if invoice["billing_reason"] == "subscription_create":
        return None
    retry_days = state.settings.retry_days
    if invoice["attempt_count"] > len(retry_days):
        return None
    delay_days: int = retry_days[invoice["attempt_count"] - 1]
    return state.now() + delay_days * DAY


def _mark_paid(state: EmulatorState, invoice: StripeObject) -> None:
    now = state.now()
    invoice.update(
        status="paid",
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        next_payment_attempt=None,
    )
    invoice["status_transitions"]["paid_at"] = now
    for payment in invoice["payments"]["data"]:
        payment["status"] = "paid"
        payment["amount_paid"] = invoice["amount_due"]
        payment["status_transitions"]["paid_at"] = now
    state.emit("invoice.paid", invoice)
    state.emit("invoice.payment_succeeded", invoice)


def void(state: EmulatorState, invoice: StripeObject) -> None:
    """Void an open invoice and cancel its PaymentIntent."""
    with state.tracking(invoice, "invoice.updated"):
        invoice["status"] = "void"
        invoice["next_payment_attempt"] = None
        invoice["status_transitions"]["voided_at"] = state.now()
    if invoice["payment_intent"]:
        intent = state.get("payment_intent", invoice["payment_intent"])
        intent.update(
            status="canceled", canceled_at=state.now(), cancellation_reason="void_invoice"
        )
        state.emit("payment_intent.canceled", intent)
    state.emit("invoice.voided", invoice)


def open_invoices(state: EmulatorState, subscription: str) -> list[StripeObject]:
    """Return a subscription's invoices still waiting for money."""
    return state.find(
        "invoice", lambda i: i["subscription"] == subscription and i["status"] == "open"
    )


def invoice_for_intent(state: EmulatorState, intent_id: str) -> StripeObject | None:
    """Return the invoice a PaymentIntent collects, if any."""
    invoice_id: Any = state.meta.get(intent_id, {}).get("invoice")
    return state.objects.get(invoice_id) if invoice_id else None
