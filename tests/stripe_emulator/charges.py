"""Charges behind PaymentIntents, and what happens to money afterwards: disputes, refunds and
credit notes on invoices.

A charge on Stripe's dispute test card (``pm_card_createDispute``, 4000 0000 0000 0259) succeeds
and is disputed at once, as in test mode; ``POST /_emulator/dispute`` disputes any charge.
"""

from __future__ import annotations

from typing import Any

from .errors import StripeError
from .forms import Params, as_dict, as_int, check_known
from .state import EmulatorState, StripeObject

REFUND_PARAMS = frozenset({"charge", "payment_intent", "amount", "reason", "metadata", "expand"})
CREDIT_NOTE_PARAMS = frozenset(
    {"invoice", "amount", "refund_amount", "credit_amount", "out_of_band_amount", "reason",
     "memo", "metadata", "expand"}
)  # fmt: skip
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
CREDIT_REASONS = ("duplicate", "fraudulent", "order_change", "product_unsatisfactory")


def create_charge(
    state: EmulatorState, intent: StripeObject, method_id: str | None, *, paid: bool
) -> StripeObject:
    """Record the charge a payment attempt made (``charge.succeeded`` or ``charge.failed``)."""
    method = state.objects.get(method_id or "") or {}
    error = intent.get("last_payment_error") or {}
    charge_id = state.new_id("ch")
    charge = state.put(
        {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"] if paid else 0,
            "amount_refunded": 0,
            "balance_transaction": state.new_id("txn") if paid else None,
            "billing_details": method.get("billing_details")
            or {"address": None, "email": None, "name": None, "phone": None},
            "calculated_statement_descriptor": "SP-404 SAMPLE CLOUD",
            "captured": paid,
            "created": state.now(),
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "failure_code": None if paid else error.get("code"),
            "failure_message": None if paid else error.get("message"),
            "livemode": False,
            "metadata": {},
            "outcome": {
                "network_status": "approved_by_network" if paid else "declined_by_network",
                "reason": None if paid else error.get("decline_code"),
                "risk_level": "normal",
                "seller_message": "Payment complete." if paid else "The bank declined.",
                "type": "authorized" if paid else "issuer_declined",
            },
            "paid": paid,
            "payment_intent": intent["id"],
            "payment_method": method_id,
            "payment_method_details": {"type": "card", "card": method.get("card")},
            "receipt_email": None,
            "receipt_url": f"{state.base_url}/receipt/{charge_id}",
            "refunded": False,
            "refunds": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                        "url": f"/v1/charges/{charge_id}/refunds"},
            "status": "succeeded" if paid else "failed",
        }
    )  # fmt: skip
    state.emit("charge.succeeded" if paid else "charge.failed", charge)
    if paid and state.meta.get(method_id or "", {}).get("disputes"):
        dispute(state, charge)
    return charge


def dispute(state: EmulatorState, charge: StripeObject, reason: str = "fraudulent") -> StripeObject:
    """Open a dispute on a paid charge, as a cardholder's bank does."""
    if not charge["paid"] or charge["disputed"]:
        raise StripeError.invalid(f"Charge {charge['id']} cannot be disputed.")
    created = state.put(
        {
            "id": state.new_id("du"),
            "object": "dispute",
            "amount": charge["amount"] - charge["amount_refunded"],
            "balance_transactions": [],
            "charge": charge["id"],
            "created": state.now(),
            "currency": charge["currency"],
            "evidence": {"customer_email_address": None, "uncategorized_text": None},
            "evidence_details": {
                "due_by": state.now() + 7 * 86_400,
                "enhanced_eligibility": {},
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "payment_method_details": {"type": "card", "card": {"brand": "visa"}},
            "reason": reason,
            "status": "needs_response",
        }
    )
    with state.tracking(charge, "charge.updated"):
        charge["disputed"] = True
    state.emit("charge.dispute.created", created)
    return created


def close_dispute(state: EmulatorState, found: StripeObject) -> StripeObject:
    """Accept a dispute (``POST /v1/disputes/{id}/close``): the merchant loses it."""
    if found["status"] not in ("needs_response", "warning_needs_response"):
        raise StripeError.invalid("This dispute is already closed.")
    found["status"] = "lost"
    state.emit("charge.dispute.closed", found)
    return found


def _charge_for(state: EmulatorState, params: Params) -> StripeObject:
    if params.get("charge"):
        return state.get("charge", params["charge"], param="charge")
    if params.get("payment_intent"):
        intent = state.get("payment_intent", params["payment_intent"], param="payment_intent")
        if not intent["latest_charge"]:
            raise StripeError.invalid("This PaymentIntent has no successful charge to refund.")
        return state.get("charge", intent["latest_charge"], param="payment_intent")
    raise StripeError.missing_param("charge")


def create_refund(state: EmulatorState, params: Params) -> StripeObject:
    """Refund all or part of a charge (``POST /v1/refunds``)."""
    check_known(params, REFUND_PARAMS)
    charge = _charge_for(state, params)
    return refund(
        state, charge, as_int(params, "amount"), params.get("reason"),
        metadata=as_dict(params, "metadata"),
    )  # fmt: skip


def refund(
    state: EmulatorState,
    charge: StripeObject,
    amount: int | None,
    reason: Any = None,
    *,
    metadata: Params | None = None,
) -> StripeObject:
    """Move ``amount`` (default: what is left) back to the card; ``charge.refunded`` follows."""
    left = charge["amount_captured"] - charge["amount_refunded"]
    amount = left if amount is None else amount
    if not charge["paid"] or amount <= 0 or amount > left:
        raise StripeError.invalid(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            param="amount",
        )
    if reason is not None and reason not in REFUND_REASONS:
        raise StripeError.invalid(f"Invalid reason: {reason}", param="reason")
    created = state.put(
        {
            "id": state.new_id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": state.new_id("txn"),
            "charge": charge["id"],
            "created": state.now(),
            "currency": charge["currency"],
            "customer": charge["customer"],
            "metadata": dict(metadata or {}),
            "payment_intent": charge["payment_intent"],
            "payment_method": charge["payment_method"],
            "reason": reason,
            "receipt_number": None,
            "status": "succeeded",
        }
    )
    state.emit("refund.created", created)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
    charge["refunds"]["data"].insert(0, created)
    charge["refunds"]["total_count"] += 1
    state.emit("charge.refunded", charge)
    return created


def create_credit_note(state: EmulatorState, params: Params) -> StripeObject:
    """Credit part of a finalized invoice: before payment it lowers what is due; after, the
    money goes back to the card (``refund_amount``), to the balance or is settled outside."""
    check_known(params, CREDIT_NOTE_PARAMS)
    invoice = state.get("invoice", params.get("invoice"), param="invoice")
    if invoice["status"] not in ("open", "paid"):
        raise StripeError.invalid(
            f"Credit notes can only be issued on open or paid invoices, not {invoice['status']}."
        )
    amount = as_int(params, "amount")
    if amount is None or amount <= 0:
        raise StripeError.missing_param("amount")
    reason = params.get("reason")
    if reason is not None and reason not in CREDIT_REASONS:
        raise StripeError.invalid(f"Invalid reason: {reason}", param="reason")
    paid = invoice["status"] == "paid"
    credited = (
        invoice["pre_payment_credit_notes_amount"] + invoice["post_payment_credit_notes_amount"]
    )
    limit = (invoice["amount_paid"] if paid else invoice["total"]) - credited
    if amount > limit:
        raise StripeError.invalid(
            f"The credit note amount ({amount}) exceeds what the invoice allows ({limit}).",
            param="amount",
        )
    refund_amount = as_int(params, "refund_amount", 0) or 0
    out_of_band = as_int(params, "out_of_band_amount", 0) or 0
    credit_amount = as_int(params, "credit_amount")
    if paid and credit_amount is None:
        credit_amount = amount - refund_amount - out_of_band
    if paid and refund_amount + out_of_band + (credit_amount or 0) != amount:
        raise StripeError.invalid(
            "The sum of refund_amount, credit_amount and out_of_band_amount must equal amount."
        )
    refunds: list[StripeObject] = []
    if refund_amount:
        intent = state.get("payment_intent", invoice["payment_intent"], param="invoice")
        charge = state.get("charge", intent["latest_charge"], param="invoice")
        refunds.append(refund(state, charge, refund_amount, "requested_by_customer"))
    customer = state.get("customer", invoice["customer"])
    if paid and credit_amount:
        with state.tracking(customer, "customer.updated"):
            customer["balance"] -= credit_amount
    note_id = state.new_id("cn")
    count = state.meta[invoice["id"]]["credit_notes"] = (
        state.meta[invoice["id"]].get("credit_notes", 0) + 1
    )
    note = state.put(
        {
            "id": note_id,
            "object": "credit_note",
            "amount": amount,
            "created": state.now(),
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "effective_at": state.now(),
            "invoice": invoice["id"],
            "lines": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                      "url": f"/v1/credit_notes/{note_id}/lines"},
            "livemode": False,
            "memo": params.get("memo"),
            "metadata": dict(as_dict(params, "metadata")),
            "number": f"{invoice['number']}-CN-{count:02d}",
            "out_of_band_amount": out_of_band or None,
            "pdf": f"{state.base_url}/credit_note/{note_id}/pdf",
            "post_payment_amount": amount if paid else 0,
            "pre_payment_amount": 0 if paid else amount,
            "reason": reason,
            "refunds": [
                {"amount_refunded": r["amount"], "refund": r["id"], "type": "refund",
                 "payment_record_refund": None}
                for r in refunds
            ],
            "status": "issued",
            "subtotal": amount,
            "subtotal_excluding_tax": amount,
            "total": amount,
            "total_excluding_tax": amount,
            "type": "post_payment" if paid else "pre_payment",
            "voided_at": None,
        }
    )  # fmt: skip
    with state.tracking(invoice, "invoice.updated"):
        if paid:
            invoice["post_payment_credit_notes_amount"] += amount
        else:
            invoice["pre_payment_credit_notes_amount"] += amount
            invoice["amount_due"] -= amount
            invoice["amount_remaining"] -= amount
            _shrink_intent(state, invoice)
    state.emit("credit_note.created", note)
    return note


def _shrink_intent(state: EmulatorState, invoice: StripeObject) -> None:
    # The invoice's PaymentIntent asks for what is still due.
    intent = state.objects.get(invoice["payment_intent"] or "")
    if intent is not None and intent["status"] != "succeeded":
        intent["amount"] = invoice["amount_due"]
