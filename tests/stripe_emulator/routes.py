"""The HTTP surface: Stripe's ``/v1`` endpoints a subscription product calls, plus test hooks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import catalog, charges, intents, schedules, subscriptions, timeline
from .errors import StripeError
from .forms import Params, as_bool, as_dict, as_int, as_list, check_known
from .state import EmulatorState, StripeObject
from .views import list_object, render
from .webhooks import Deliverer, WebhookEndpoint


@dataclass
class Context:
    """What a handler may touch: the state, webhook delivery and the request's parameters."""

    state: EmulatorState
    deliverer: Deliverer
    params: Params


Handler = Callable[..., StripeObject]
LIST_PARAMS = frozenset({"limit", "starting_after", "ending_before", "expand"})
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``method`` and a path pattern with ``{name}`` segments."""
    regex = re.compile("^" + re.sub(r"\{\w+\}", r"([^/]+)", pattern) + "$")

    def register(handler: Handler) -> Handler:
        ROUTES.append((method, regex, handler))
        return handler

    return register


def dispatch(method: str, path: str, ctx: Context) -> StripeObject:
    """Run the handler for a request, or answer Stripe's 404 for an unknown URL."""
    for route_method, regex, handler in ROUTES:
        match = regex.match(path)
        if match and route_method == method:
            return handler(ctx, *match.groups())
    raise StripeError(
        404,
        "invalid_request_error",
        f"Unrecognized request URL ({method} {path}). The emulator does not model it.",
    )


def _show(ctx: Context, obj: StripeObject) -> StripeObject:
    return render(ctx.state, obj, ctx.params)


def _listing(
    ctx: Context, objects: list[StripeObject], url: str, filters: set[str]
) -> StripeObject:
    check_known(ctx.params, LIST_PARAMS | filters)
    return list_object(ctx.state, objects, ctx.params, url)


# Customers, products, prices, payment methods ------------------------------------------------


@route("POST", "/v1/customers")
def _create_customer(ctx: Context) -> StripeObject:
    return _show(ctx, catalog.create_customer(ctx.state, ctx.params))


@route("GET", "/v1/customers/{id}")
def _get_customer(ctx: Context, customer_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("customer", customer_id, allow_deleted=True))


@route("POST", "/v1/customers/{id}")
def _update_customer(ctx: Context, customer_id: str) -> StripeObject:
    customer = ctx.state.get("customer", customer_id)
    return _show(ctx, catalog.update_customer(ctx.state, customer, ctx.params))


@route("DELETE", "/v1/customers/{id}")
def _delete_customer(ctx: Context, customer_id: str) -> StripeObject:
    return catalog.delete_customer(ctx.state, ctx.state.get("customer", customer_id))


@route("GET", "/v1/customers")
def _list_customers(ctx: Context) -> StripeObject:
    email = ctx.params.get("email")
    found = ctx.state.find(
        "customer", lambda c: not c.get("deleted") and (email is None or c["email"] == email)
    )
    return _listing(ctx, found, "/v1/customers", {"email"})


@route("POST", "/v1/customers/{id}/tax_ids")
def _create_tax_id(ctx: Context, customer_id: str) -> StripeObject:
    customer = ctx.state.get("customer", customer_id)
    return _show(ctx, catalog.create_tax_id(ctx.state, customer, ctx.params))


@route("GET", "/v1/customers/{id}/tax_ids")
def _list_tax_ids(ctx: Context, customer_id: str) -> StripeObject:
    ctx.state.get("customer", customer_id)
    found = ctx.state.find("tax_id", lambda t: t["customer"] == customer_id)
    return _listing(ctx, found, f"/v1/customers/{customer_id}/tax_ids", set())


@route("POST", "/v1/products")
def _create_product(ctx: Context) -> StripeObject:
    return _show(ctx, catalog.create_product(ctx.state, ctx.params))


@route("GET", "/v1/products/{id}")
def _get_product(ctx: Context, product_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("product", product_id))


@route("POST", "/v1/prices")
def _create_price(ctx: Context) -> StripeObject:
    return _show(ctx, catalog.create_price(ctx.state, ctx.params))


@route("GET", "/v1/prices/{id}")
def _get_price(ctx: Context, price_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("price", price_id))


@route("POST", "/v1/prices/{id}")
def _update_price(ctx: Context, price_id: str) -> StripeObject:
    price = ctx.state.get("price", price_id)
    return _show(ctx, catalog.update_price(ctx.state, price, ctx.params))


@route("GET", "/v1/prices")
def _list_prices(ctx: Context) -> StripeObject:
    keys = as_list(ctx.params, "lookup_keys")
    active = as_bool(ctx.params, "active") if "active" in ctx.params else None
    product = ctx.params.get("product")

    def wanted(price: StripeObject) -> bool:
        return (
            (not keys or price["lookup_key"] in keys)
            and (active is None or price["active"] == active)
            and (product is None or price["product"] == product)
        )

    found = ctx.state.find("price", wanted)
    return _listing(ctx, found, "/v1/prices", {"lookup_keys", "active", "product"})


@route("GET", "/v1/payment_methods/{id}")
def _get_payment_method(ctx: Context, method_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("payment_method", method_id))


@route("POST", "/v1/payment_methods/{id}/attach")
def _attach_payment_method(ctx: Context, method_id: str) -> StripeObject:
    return _show(ctx, catalog.attach_payment_method(ctx.state, method_id, ctx.params))


@route("POST", "/v1/billing_portal/sessions")
def _create_portal_session(ctx: Context) -> StripeObject:
    return _show(ctx, catalog.create_portal_session(ctx.state, ctx.params))


# Subscriptions and schedules -----------------------------------------------------------------


@route("POST", "/v1/subscriptions")
def _create_subscription(ctx: Context) -> StripeObject:
    return _show(ctx, subscriptions.create(ctx.state, ctx.params))


@route("GET", "/v1/subscriptions/{id}")
def _get_subscription(ctx: Context, sub_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("subscription", sub_id))


@route("POST", "/v1/subscriptions/{id}")
def _update_subscription(ctx: Context, sub_id: str) -> StripeObject:
    sub = ctx.state.get("subscription", sub_id)
    return _show(ctx, subscriptions.update(ctx.state, sub, ctx.params))


@route("DELETE", "/v1/subscriptions/{id}")
def _cancel_subscription(ctx: Context, sub_id: str) -> StripeObject:
    sub = ctx.state.get("subscription", sub_id)
    return _show(ctx, subscriptions.cancel(ctx.state, sub, ctx.params))


@route("GET", "/v1/subscriptions")
def _list_subscriptions(ctx: Context) -> StripeObject:
    customer, status = ctx.params.get("customer"), ctx.params.get("status")
    price = ctx.params.get("price")

    def wanted(sub: StripeObject) -> bool:
        # Stripe leaves canceled subscriptions out unless asked for them (or for all).
        status_ok = (
            sub["status"] == status
            if status and status != "all"
            else (status == "all" or sub["status"] != "canceled")
        )
        price_ok = price is None or any(i["price"]["id"] == price for i in sub["items"]["data"])
        return status_ok and price_ok and (customer is None or sub["customer"] == customer)

    found = ctx.state.find("subscription", wanted)
    return _listing(ctx, found, "/v1/subscriptions", {"customer", "status", "price"})


@route("POST", "/v1/subscription_schedules")
def _create_schedule(ctx: Context) -> StripeObject:
    return _show(ctx, schedules.create(ctx.state, ctx.params))


@route("GET", "/v1/subscription_schedules/{id}")
def _get_schedule(ctx: Context, schedule_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("subscription_schedule", schedule_id))


@route("POST", "/v1/subscription_schedules/{id}")
def _update_schedule(ctx: Context, schedule_id: str) -> StripeObject:
    schedule = ctx.state.get("subscription_schedule", schedule_id)
    return _show(ctx, schedules.update(ctx.state, schedule, ctx.params))


@route("POST", "/v1/subscription_schedules/{id}/release")
def _release_schedule(ctx: Context, schedule_id: str) -> StripeObject:
    check_known(ctx.params, frozenset({"preserve_cancel_date", "expand"}))
    schedule = ctx.state.get("subscription_schedule", schedule_id)
    return _show(ctx, schedules.release(ctx.state, schedule))


@route("POST", "/v1/subscription_schedules/{id}/cancel")
def _cancel_schedule(ctx: Context, schedule_id: str) -> StripeObject:
    check_known(ctx.params, frozenset({"invoice_now", "prorate", "expand"}))
    schedule = ctx.state.get("subscription_schedule", schedule_id)
    return _show(ctx, schedules.cancel(ctx.state, schedule))


# Invoices and intents ------------------------------------------------------------------------


@route("GET", "/v1/invoices/{id}")
def _get_invoice(ctx: Context, invoice_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("invoice", invoice_id))


@route("GET", "/v1/invoices")
def _list_invoices(ctx: Context) -> StripeObject:
    customer, sub = ctx.params.get("customer"), ctx.params.get("subscription")
    status = ctx.params.get("status")
    found = ctx.state.find(
        "invoice",
        lambda i: (
            (customer is None or i["customer"] == customer)
            and (sub is None or i["subscription"] == sub)
            and (status is None or i["status"] == status)
        ),
    )
    return _listing(ctx, found, "/v1/invoices", {"customer", "subscription", "status"})


@route("POST", "/v1/invoices/{id}/pay")
def _pay_invoice(ctx: Context, invoice_id: str) -> StripeObject:
    invoice = ctx.state.get("invoice", invoice_id)
    return _show(ctx, intents.pay_invoice(ctx.state, invoice, ctx.params))


@route("POST", "/v1/invoices/create_preview")
def _preview_invoice(ctx: Context) -> StripeObject:
    from .preview import preview_invoice  # a rarely used view kept out of the hot import path

    return _show(ctx, preview_invoice(ctx.state, ctx.params))


@route("GET", "/v1/payment_intents/{id}")
def _get_payment_intent(ctx: Context, intent_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("payment_intent", intent_id))


@route("POST", "/v1/payment_intents/{id}/confirm")
def _confirm_payment_intent(ctx: Context, intent_id: str) -> StripeObject:
    intent = ctx.state.get("payment_intent", intent_id)
    return _show(ctx, intents.confirm_payment_intent(ctx.state, intent, ctx.params))


@route("GET", "/v1/setup_intents/{id}")
def _get_setup_intent(ctx: Context, intent_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("setup_intent", intent_id))


@route("POST", "/v1/setup_intents/{id}/confirm")
def _confirm_setup_intent(ctx: Context, intent_id: str) -> StripeObject:
    setup = ctx.state.get("setup_intent", intent_id)
    return _show(ctx, intents.confirm_setup_intent(ctx.state, setup, ctx.params))


@route("GET", "/v1/invoice_payments")
def _list_invoice_payments(ctx: Context) -> StripeObject:
    invoice_id = ctx.params.get("invoice")
    payment = as_dict(ctx.params, "payment")
    intent = payment.get("payment_intent")
    found = [
        entry
        for invoice in ctx.state.find("invoice", lambda i: invoice_id in (None, i["id"]))
        for entry in invoice["payments"]["data"]
        if intent is None or entry["payment"].get("payment_intent") == intent
    ]
    return _listing(ctx, found, "/v1/invoice_payments", {"invoice", "payment", "status"})


# Charges, disputes, refunds, credit notes ------------------------------------------------------


@route("GET", "/v1/charges/{id}")
def _get_charge(ctx: Context, charge_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("charge", charge_id))


@route("GET", "/v1/disputes/{id}")
def _get_dispute(ctx: Context, dispute_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("dispute", dispute_id))


@route("POST", "/v1/disputes/{id}/close")
def _close_dispute(ctx: Context, dispute_id: str) -> StripeObject:
    check_known(ctx.params, frozenset({"expand"}))
    return _show(ctx, charges.close_dispute(ctx.state, ctx.state.get("dispute", dispute_id)))


@route("POST", "/v1/refunds")
def _create_refund(ctx: Context) -> StripeObject:
    return _show(ctx, charges.create_refund(ctx.state, ctx.params))


@route("GET", "/v1/refunds/{id}")
def _get_refund(ctx: Context, refund_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("refund", refund_id))


@route("POST", "/v1/credit_notes")
def _create_credit_note(ctx: Context) -> StripeObject:
    return _show(ctx, charges.create_credit_note(ctx.state, ctx.params))


@route("GET", "/v1/credit_notes/{id}")
def _get_credit_note(ctx: Context, note_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("credit_note", note_id))


# Events, webhook endpoints, test clocks ------------------------------------------------------


@route("GET", "/v1/events/{id}")
def _get_event(ctx: Context, event_id: str) -> StripeObject:
    return _show(ctx, ctx.state.get("event", event_id))


@route("GET", "/v1/events")
def _list_events(ctx: Context) -> StripeObject:
    types = set(as_list(ctx.params, "types"))
    if ctx.params.get("type"):
        types.add(ctx.params["type"])
    found = ctx.state.find("event", lambda e: not types or e["type"] in types)
    return _listing(ctx, found, "/v1/events", {"type", "types"})


@route("POST", "/v1/webhook_endpoints")
def _create_webhook_endpoint(ctx: Context) -> StripeObject:
    check_known(ctx.params, frozenset({"url", "enabled_events", "api_version", "description"}))
    if not ctx.params.get("url"):
        raise StripeError.missing_param("url")
    events = tuple(as_list(ctx.params, "enabled_events")) or ("*",)
    endpoint = WebhookEndpoint(url=ctx.params["url"], enabled_events=events)
    ctx.deliverer.endpoints.append(endpoint)
    return endpoint.as_stripe_object(ctx.state.now(), with_secret=True)


@route("DELETE", "/v1/webhook_endpoints/{id}")
def _delete_webhook_endpoint(ctx: Context, endpoint_id: str) -> StripeObject:
    for endpoint in ctx.deliverer.endpoints:
        if endpoint.id == endpoint_id:
            ctx.deliverer.endpoints.remove(endpoint)
            return {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True}
    raise StripeError.missing("webhook endpoint", endpoint_id)


def _clock_object(ctx: Context, clock: StripeObject) -> StripeObject:
    clock["frozen_time"] = ctx.state.now()
    return _show(ctx, clock)


@route("POST", "/v1/test_helpers/test_clocks")
def _create_test_clock(ctx: Context) -> StripeObject:
    check_known(ctx.params, frozenset({"frozen_time", "name", "expand"}))
    frozen = as_int(ctx.params, "frozen_time")
    if frozen is None:
        raise StripeError.missing_param("frozen_time")
    # One emulator clock backs every test clock; a frozen_time ahead of it moves it forward.
    if frozen > ctx.state.now():
        timeline.advance_to(ctx.state, frozen)
    clock = ctx.state.put(
        {
            "id": ctx.state.new_id("clock"),
            "object": "test_helpers.test_clock",
            "created": ctx.state.now(),
            "deletes_after": ctx.state.now() + 30 * 86_400,
            "frozen_time": ctx.state.now(),
            "livemode": False,
            "name": ctx.params.get("name"),
            "status": "ready",
            "status_details": {},
        }
    )
    return _clock_object(ctx, clock)


@route("GET", "/v1/test_helpers/test_clocks/{id}")
def _get_test_clock(ctx: Context, clock_id: str) -> StripeObject:
    return _clock_object(ctx, ctx.state.get("test_helpers.test_clock", clock_id))


@route("DELETE", "/v1/test_helpers/test_clocks/{id}")
def _delete_test_clock(ctx: Context, clock_id: str) -> StripeObject:
    clock = ctx.state.get("test_helpers.test_clock", clock_id)
    clock["deleted"] = True
    return {"id": clock_id, "object": "test_helpers.test_clock", "deleted": True}


@route("POST", "/v1/test_helpers/test_clocks/{id}/advance")
def _advance_test_clock(ctx: Context, clock_id: str) -> StripeObject:
    check_known(ctx.params, frozenset({"frozen_time", "expand"}))
    clock = ctx.state.get("test_helpers.test_clock", clock_id)
    target = as_int(ctx.params, "frozen_time")
    if target is None:
        raise StripeError.missing_param("frozen_time")
    if target <= ctx.state.now():
        raise StripeError.invalid(
            "The frozen_time must be after the test clock's current frozen_time.",
            param="frozen_time",
        )
    timeline.advance_to(ctx.state, target)
    return _clock_object(ctx, clock)


# Emulator-only controls (no Stripe equivalent) -----------------------------------------------


@route("POST", "/_emulator/advance")
def _advance(ctx: Context) -> StripeObject:
    seconds = as_int(ctx.params, "seconds", 0) or 0
    target = as_int(ctx.params, "to", ctx.state.now() + seconds) or 0
    steps = timeline.advance_to(ctx.state, target)
    return {"object": "emulator.clock", "now": ctx.state.now(), "transitions": steps}


@route("POST", "/_emulator/fail_payments")
def _fail_payments(ctx: Context) -> StripeObject:
    customer = ctx.state.get("customer", ctx.params.get("customer"), param="customer")
    outcome = ctx.params.get("outcome", "decline")
    set_payment_outcome(
        ctx.state, customer["id"], outcome if as_bool(ctx.params, "enabled", True) else None
    )
    return {"object": "emulator.payment_override", "customer": customer["id"], "outcome": outcome}


@route("POST", "/_emulator/confirm_payment")
def _confirm_payment(ctx: Context) -> StripeObject:
    intent_id = ctx.params.get("payment_intent") or ctx.params.get("setup_intent")
    if not intent_id:
        raise StripeError.missing_param("payment_intent")
    method = ctx.params.get("payment_method")
    return _show(ctx, intents.complete_action(ctx.state, str(intent_id), method))


@route("POST", "/_emulator/dispute")
def _dispute(ctx: Context) -> StripeObject:
    charge = ctx.state.get("charge", ctx.params.get("charge"), param="charge")
    return _show(ctx, charges.dispute(ctx.state, charge, ctx.params.get("reason", "fraudulent")))


OUTCOMES = ("succeed", "decline", "insufficient_funds", "authentication_required")


def set_payment_outcome(state: EmulatorState, customer: str, outcome: Any) -> None:
    """Force every charge for ``customer`` to end with ``outcome`` (``None`` restores cards)."""
    if outcome is None:
        state.payment_overrides.pop(customer, None)
        return
    if outcome not in OUTCOMES:
        raise StripeError.invalid(f"outcome must be one of {', '.join(OUTCOMES)}", param="outcome")
    state.payment_overrides[customer] = outcome
