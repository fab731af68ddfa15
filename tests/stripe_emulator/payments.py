"""Payment methods (with Stripe's test tokens), payment intents and setup intents."""

from __future__ import annotations

from typing import Any, Literal

from .charges import create_charge
from .errors import StripeError
from .state import EmulatorState, StripeObject, random_token

Outcome = Literal["succeed", "decline", "insufficient_funds", "authentication_required"]

# Stripe's documented test PaymentMethod tokens and how a charge on each one ends.
TEST_TOKENS: dict[str, tuple[str, str, Outcome]] = {
    "pm_card_visa": ("visa", "4242", "succeed"),
    "pm_card_us": ("visa", "4242", "succeed"),
    "pm_card_mastercard": ("mastercard", "4444", "succeed"),
    "pm_card_amex": ("amex", "8431", "succeed"),
    "pm_card_chargeDeclined": ("visa", "0002", "decline"),
    "pm_card_chargeCustomerFail": ("visa", "0341", "decline"),
    "pm_card_visa_chargeDeclined": ("visa", "0002", "decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "insufficient_funds"),
    "pm_card_authenticationRequired": ("visa", "3184", "authentication_required"),
    "pm_card_createDispute": ("visa", "0259", "succeed"),
}
# Tokens whose successful charges the cardholder's bank disputes at once.
DISPUTING_TOKENS = frozenset({"pm_card_createDispute"})

DECLINES: dict[str, tuple[str, str]] = {
    "decline": ("generic_decline", "Your card was declined."),
    "insufficient_funds": ("insufficient_funds", "Your card has insufficient funds."),
}


def resolve_payment_method(
    state: EmulatorState, reference: Any, *, customer: str | None, param: str
) -> StripeObject:
    """Return a stored PaymentMethod for an id or test token, attaching it to ``customer``."""
    if isinstance(reference, str) and reference in TEST_TOKENS:
        method = _create_from_token(state, reference)
    else:
        method = state.get("payment_method", reference, param=param)
    if customer is not None and method["customer"] is None:
        method["customer"] = customer
    return method


def _create_from_token(state: EmulatorState, token: str) -> StripeObject:
    brand, last4, outcome = TEST_TOKENS[token]
    method = state.put(
        {
            "id": state.new_id("pm"),
            "object": "payment_method",
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "card": {
                "brand": brand,
                "country": "US",
                "exp_month": 12,
                "exp_year": 2034,
                "funding": "credit",
                "last4": last4,
            },
            "created": state.now(),
            "customer": None,
            "livemode": False,
            "metadata": {},
            "type": "card",
        }
    )
    state.meta[method["id"]]["outcome"] = outcome
    state.meta[method["id"]]["disputes"] = token in DISPUTING_TOKENS
    return method


def charge_outcome(state: EmulatorState, method_id: str | None, customer: str) -> Outcome | None:
    """Say how charging this method ends; ``None`` when there is nothing to charge."""
    forced = state.payment_overrides.get(customer)
    if forced is not None:
        return forced  # type: ignore[return-value]
    if method_id is None:
        return None
    outcome: Outcome = state.meta.get(method_id, {}).get("outcome", "succeed")
    return outcome


def create_payment_intent(
    state: EmulatorState, *, amount: int, currency: str, customer: str, description: str
) -> StripeObject:
    """Create the PaymentIntent that collects an invoice."""
    intent_id = state.new_id("pi")
    return state.put(
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_{random_token(25)}",
            "confirmation_method": "automatic",
            "created": state.now(),
            "currency": currency,
            "customer": customer,
            "description": description,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": {},
            "next_action": None,
            "payment_method": None,
            "payment_method_types": ["card"],
            "setup_future_usage": "off_session",
            "status": "requires_payment_method",
        }
    )


def create_setup_intent(state: EmulatorState, *, customer: str) -> StripeObject:
    """Create a SetupIntent that saves a card for later off-session charges."""
    intent_id = state.new_id("seti")
    return state.put(
        {
            "id": intent_id,
            "object": "setup_intent",
            "cancellation_reason": None,
            "client_secret": f"{intent_id}_secret_{random_token(25)}",
            "created": state.now(),
            "customer": customer,
            "description": None,
            "last_setup_error": None,
            "livemode": False,
            "metadata": {},
            "next_action": None,
            "payment_method": None,
            "payment_method_types": ["card"],
            "status": "requires_payment_method",
            "usage": "off_session",
        }
    )


def apply_charge(
    state: EmulatorState, intent: StripeObject, method_id: str | None, outcome: Outcome | None
) -> str:
    """Move a PaymentIntent to the state a charge with ``outcome`` leaves it in."""
    intent["payment_method"] = method_id
    if outcome == "succeed":
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            last_payment_error=None,
            next_action=None,
        )
        intent["latest_charge"] = create_charge(state, intent, method_id, paid=True)["id"]
        state.emit("payment_intent.succeeded", intent)
    elif outcome == "authentication_required":
        intent.update(
            status="requires_action",
            next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {}},
        )
        state.emit("payment_intent.requires_action", intent)
    else:
        code, message = DECLINES.get(outcome or "", ("", "No payment method to charge."))
        intent.update(
            status="requires_payment_method",
            next_action=None,
            last_payment_error={
                "code": "card_declined" if code else "payment_method_missing",
                "decline_code": code or None,
                "message": message,
                "payment_method": {"id": method_id} if method_id else None,
                "type": "card_error" if code else "invalid_request_error",
            },
        )
        if method_id is not None:
            intent["latest_charge"] = create_charge(state, intent, method_id, paid=False)["id"]
        state.emit("payment_intent.payment_failed", intent)
    return str(intent["status"])


def decline_error(intent: StripeObject) -> StripeError:
    """The 402 Stripe answers when an on-session confirmation is declined."""
    error = intent["last_payment_error"] or {}
    return StripeError.card(
        error.get("code") or "card_declined",
        error.get("decline_code"),
        error.get("message") or "Your card was declined.",
        payment_intent=intent,
    )
