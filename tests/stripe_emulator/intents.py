"""Confirming PaymentIntents and SetupIntents, paying invoices, and the customer's 3-D Secure step.

``POST /v1/payment_intents/{id}/confirm`` is Stripe's own server-side confirmation (it works with
test tokens such as ``pm_card_visa`` in real test mode too); ``complete_action`` stands in for the
customer finishing authentication in the browser, which has no API on Stripe.
"""

from __future__ import annotations

from . import billing_cycle, invoices
from .errors import StripeError
from .forms import Params, check_known
from .payments import charge_outcome, decline_error, resolve_payment_method
from .state import EmulatorState, StripeObject

CONFIRM_PARAMS = frozenset(
    {"payment_method", "return_url", "off_session", "expand", "mandate_data", "use_stripe_sdk"}
)
PAY_PARAMS = frozenset({"payment_method", "off_session", "expand"})


def confirm_payment_intent(
    state: EmulatorState, intent: StripeObject, params: Params
) -> StripeObject:
    """Confirm on-session: succeed, ask for authentication, or answer 402 when declined."""
    check_known(params, CONFIRM_PARAMS)
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise StripeError.invalid(
            f"You cannot confirm this PaymentIntent because it has a status of {intent['status']}.",
            param="id",
        )
    method_id = intent["payment_method"]
    if params.get("payment_method"):
        method_id = resolve_payment_method(
            state, params["payment_method"], customer=intent["customer"], param="payment_method"
        )["id"]
    if method_id is None:
        raise StripeError.invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            param="payment_method",
        )
    invoice = invoices.invoice_for_intent(state, intent["id"])
    if invoice is None:
        raise StripeError.invalid("The emulator only confirms PaymentIntents of invoices.")
    result = invoices.charge(state, invoice, method_id)
    billing_cycle.react(state, invoice, result)
    if result == "failed":
        raise decline_error(intent)
    return intent


def complete_action(state: EmulatorState, intent_id: str, method: str | None) -> StripeObject:
    """Act as the customer in the browser: authenticate, or pay with ``method`` (test only)."""
    if intent_id.startswith("seti_"):
        setup = state.get("setup_intent", intent_id)
        if setup["status"] == "requires_action":
            return _setup_succeeded(state, setup, setup["payment_method"])
        return confirm_setup_intent(state, setup, {"payment_method": method or "pm_card_visa"})
    intent = state.get("payment_intent", intent_id)
    invoice = invoices.invoice_for_intent(state, intent_id)
    if invoice is None:
        raise StripeError.invalid("The emulator only completes PaymentIntents of invoices.")
    if intent["status"] == "requires_action":
        invoices.complete_action(state, invoice)
        billing_cycle.react(state, invoice, "paid")
        return intent
    return confirm_payment_intent(state, intent, {"payment_method": method or "pm_card_visa"})


def confirm_setup_intent(state: EmulatorState, setup: StripeObject, params: Params) -> StripeObject:
    """Save a card: succeed (making it the subscription's default when asked) or ask for 3DS."""
    check_known(params, CONFIRM_PARAMS)
    if setup["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise StripeError.invalid(
            f"You cannot confirm this SetupIntent because it has a status of {setup['status']}."
        )
    method = resolve_payment_method(
        state,
        params.get("payment_method") or setup["payment_method"],
        customer=setup["customer"],
        param="payment_method",
    )
    outcome = charge_outcome(state, method["id"], setup["customer"])
    if outcome == "authentication_required":
        setup.update(
            status="requires_action",
            payment_method=method["id"],
            next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {}},
        )
        state.emit("setup_intent.requires_action", setup)
        return setup
    if outcome != "succeed":
        setup["last_setup_error"] = {"code": "card_declined", "message": "Your card was declined."}
        state.emit("setup_intent.setup_failed", setup)
        raise StripeError.card("card_declined", "generic_decline", "Your card was declined.")
    return _setup_succeeded(state, setup, method["id"])


def _setup_succeeded(state: EmulatorState, setup: StripeObject, method_id: str) -> StripeObject:
    setup.update(status="succeeded", payment_method=method_id, next_action=None)
    state.emit("setup_intent.succeeded", setup)
    sub = state.objects.get(state.meta[setup["id"]].get("subscription", ""))
    if sub is not None:
        with state.tracking(sub, "customer.subscription.updated"):
            sub["pending_setup_intent"] = None
            if sub["payment_settings"]["save_default_payment_method"] == "on_subscription":
                sub["default_payment_method"] = method_id
    return setup


def pay_invoice(state: EmulatorState, invoice: StripeObject, params: Params) -> StripeObject:
    """Try to collect an open invoice now (``POST /v1/invoices/{id}/pay``)."""
    check_known(params, PAY_PARAMS)
    if invoice["status"] != "open":
        raise StripeError.invalid(f"Invoice is already {invoice['status']}.")
    method_id = None
    if params.get("payment_method"):
        method_id = resolve_payment_method(
            state, params["payment_method"], customer=invoice["customer"], param="payment_method"
        )["id"]
    result = billing_cycle.collect(state, invoice, method_id)
    if result == "failed":
        raise decline_error(state.objects[invoice["payment_intent"]])
    return invoice
