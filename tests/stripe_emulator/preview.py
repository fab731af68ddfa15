"""``POST /v1/invoices/create_preview``: what the subscription's next renewal will bill."""

from __future__ import annotations

import copy

from . import billing_cycle
from .errors import StripeError
from .forms import Params, check_known
from .periods import period_end_after
from .state import EmulatorState, StripeObject

PREVIEW_PARAMS = frozenset({"customer", "subscription", "expand"})


def preview_invoice(state: EmulatorState, params: Params) -> StripeObject:
    """Return an unsaved invoice for the next period, pending prorations included."""
    check_known(params, PREVIEW_PARAMS)
    if not params.get("subscription"):
        raise StripeError.invalid("The emulator previews renewals: pass `subscription`.")
    sub = state.get("subscription", params["subscription"], param="subscription")
    if params.get("customer") and params["customer"] != sub["customer"]:
        raise StripeError.invalid("The subscription belongs to another customer.")
    if sub["status"] not in billing_cycle.LIVE_STATUSES or sub["cancel_at_period_end"]:
        raise StripeError(
            404,
            "invalid_request_error",
            "No upcoming invoices for customer",
            code="invoice_upcoming_none",
        )
    start = sub["current_period_end"]
    recurring = sub["items"]["data"][0]["price"]["recurring"]
    end = period_end_after(
        sub["billing_cycle_anchor"], start, recurring["interval"], recurring["interval_count"]
    )
    lines = [
        billing_cycle.item_line(state, sub, item, (start, end)) for item in sub["items"]["data"]
    ]
    lines.extend(copy.deepcopy(state.meta[sub["id"]].get("pending_lines", [])))
    total = sum(line["amount"] for line in lines)
    balance = int(state.objects[sub["customer"]].get("balance", 0))
    return {
        "id": f"upcoming_{sub['id']}",
        "object": "invoice",
        "amount_due": max(0, total + balance),
        "amount_paid": 0,
        "amount_remaining": max(0, total + balance),
        "billing_reason": "subscription_cycle",
        "created": state.now(),
        "currency": sub["currency"],
        "customer": sub["customer"],
        "lines": {"object": "list", "data": lines, "has_more": False, "total_count": len(lines)},
        "livemode": False,
        "next_payment_attempt": start,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"metadata": {}, "subscription": sub["id"]},
        },
        "period_end": start,
        "period_start": sub["current_period_start"],
        "starting_balance": balance,
        "status": "draft",
        "subscription": sub["id"],
        "subtotal": total,
        "total": total,
    }
