"""Subscriptions API: create, update (items with proration, cancel at period end), cancel.

Proration (documented simplification of Stripe's): for a change at time ``t`` inside the
period ``[start, end)``, ``unused = (end - t) / (end - start)``; the old item is credited
``-round(old_unit * old_qty * unused)`` and the new one charged ``round(new_unit * new_qty *
unused)``. ``always_invoice`` bills the difference at once; ``create_prorations`` (the default)
adds it to the next renewal invoice; ``none`` bills nothing. A change of billing interval
restarts the period now and invoices the new price in full, less the credit.
"""

from __future__ import annotations

import copy
from typing import Any

from . import billing_cycle, invoices
from .errors import StripeError
from .forms import Params, as_bool, as_dict, as_int, as_list, check_known
from .payments import DECLINES, charge_outcome, create_setup_intent, resolve_payment_method
from .periods import add_interval
from .state import DAY, EmulatorState, StripeObject

CREATE_PARAMS = frozenset(
    {
        "customer", "items", "payment_behavior", "trial_period_days", "trial_end",
        "default_payment_method", "payment_settings", "metadata", "expand", "description",
        "cancel_at_period_end", "trial_settings", "collection_method", "proration_behavior",
        "off_session", "automatic_tax",
    }
)  # fmt: skip
UPDATE_PARAMS = frozenset(
    {
        "items", "proration_behavior", "proration_date", "cancel_at_period_end", "metadata",
        "default_payment_method", "payment_behavior", "expand", "cancellation_details",
        "description", "payment_settings", "off_session", "automatic_tax",
    }
)  # fmt: skip
# What a pending update may change (Stripe's "pending updates reference"); anything else is
# refused with payment_behavior=pending_if_incomplete.
PENDING_PARAMS = frozenset(
    {"expand", "payment_behavior", "proration_behavior", "proration_date", "billing_cycle_anchor",
     "items", "trial_end", "trial_from_plan", "add_invoice_items"}
)  # fmt: skip
PENDING_UPDATE_EXPIRY_S = 23 * 3600
CANCEL_PARAMS = frozenset({"invoice_now", "prorate", "cancellation_details", "expand"})
PAYMENT_BEHAVIORS = ("allow_incomplete", "default_incomplete", "error_if_incomplete")
UPDATE_PAYMENT_BEHAVIORS = (
    "allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete",
)  # fmt: skip
PRORATION_BEHAVIORS = ("create_prorations", "always_invoice", "none")


def resolve_price(state: EmulatorState, reference: Any, param: str) -> StripeObject:
    """Return a recurring price by id, rejecting one-time prices like Stripe."""
    if not reference:
        raise StripeError.missing_param(param)
    price = state.get("price", reference, param=param)
    if price["type"] != "recurring":
        raise StripeError.invalid(
            "The price specified is set to `type=one_time` but this field only accepts prices "
            "with `type=recurring`.",
            param=param,
        )
    return price


def new_item(
    state: EmulatorState, sub: StripeObject, price: StripeObject, qty: int
) -> StripeObject:
    """Build a subscription item for ``price`` in the subscription's current period."""
    return {
        "id": state.new_id("si"),
        "object": "subscription_item",
        "created": state.now(),
        "current_period_end": sub["current_period_end"],
        "current_period_start": sub["current_period_start"],
        "discounts": [],
        "metadata": {},
        "price": dict(price),
        "quantity": qty,
        "subscription": sub["id"],
        "tax_rates": [],
    }


def _check_consistent(prices: list[StripeObject]) -> None:
    first = prices[0]
    for price in prices[1:]:
        if price["currency"] != first["currency"]:
            raise StripeError.invalid("All prices on a subscription must have the same currency.")
        if price["recurring"]["interval"] != first["recurring"]["interval"]:
            raise StripeError.invalid(
                "All prices on a subscription must have the same `recurring.interval`."
            )


def _trial_end(params: Params, now: int) -> int | None:
    if params.get("trial_end") == "now":
        return None
    explicit = as_int(params, "trial_end")
    if explicit is not None:
        if explicit <= now:
            raise StripeError.invalid("`trial_end` must be in the future.", param="trial_end")
        return explicit
    days = as_int(params, "trial_period_days")
    return now + days * DAY if days else None


def create(state: EmulatorState, params: Params) -> StripeObject:
    """Create a subscription, bill its first invoice and settle it per ``payment_behavior``."""
    check_known(params, CREATE_PARAMS)
    customer = state.get("customer", params.get("customer"), param="customer")
    entries = as_list(params, "items")
    if not entries:
        raise StripeError.missing_param("items")
    prices = [
        resolve_price(state, e.get("price"), f"items[{i}][price]") for i, e in enumerate(entries)
    ]
    _check_consistent(prices)
    behavior = params.get("payment_behavior", "allow_incomplete")
    if behavior not in PAYMENT_BEHAVIORS:
        raise StripeError.invalid(f"Invalid payment_behavior: {behavior}", param="payment_behavior")
    if params.get("collection_method", "charge_automatically") != "charge_automatically":
        raise StripeError.invalid("The emulator only models charge_automatically.")
    _require_tax_location(state, customer["id"], _automatic_tax(params, None))
    now = state.now()
    trial_end = _trial_end(params, now)
    method_id = None
    if params.get("default_payment_method"):
        method_id = resolve_payment_method(
            state, params["default_payment_method"], customer=customer["id"],
            param="default_payment_method",
        )["id"]  # fmt: skip
    recurring = prices[0]["recurring"]
    sub_id = state.new_id("sub")
    sub = state.put(
        {
            "id": sub_id,
            "object": "subscription",
            "application": None,
            "automatic_tax": _automatic_tax(params, None),
            "billing_cycle_anchor": trial_end or now,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": now,
            "currency": prices[0]["currency"],
            "current_period_end": trial_end
            or add_interval(now, recurring["interval"], recurring["interval_count"]),
            "current_period_start": now,
            "customer": customer["id"],
            "default_payment_method": method_id,
            "description": params.get("description"),
            "discounts": [],
            "ended_at": None,
            "items": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                      "url": f"/v1/subscription_items?subscription={sub_id}"},
            "latest_invoice": None,
            "livemode": False,
            "metadata": dict(as_dict(params, "metadata")),
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": as_dict(params, "payment_settings").get(
                    "save_default_payment_method", "off"
                ),
            },
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": now,
            "status": "trialing" if trial_end else "incomplete",
            "test_clock": customer.get("test_clock"),
            "trial_end": trial_end,
            "trial_settings": {
                "end_behavior": {
                    "missing_payment_method": as_dict(
                        as_dict(params, "trial_settings"), "end_behavior"
                    ).get("missing_payment_method", "create_invoice")
                }
            },
            "trial_start": now if trial_end else None,
        }
    )  # fmt: skip
    charge_with = method_id or billing_cycle.default_method(state, sub)
    if (
        behavior == "error_if_incomplete"
        and not trial_end
        and billing_cycle.first_charge_would_fail(state, customer["id"], charge_with)
    ):
        del state.objects[sub_id]
        raise StripeError.card("card_declined", "generic_decline", "Your card was declined.")
    for entry, price in zip(entries, prices, strict=True):
        qty = as_int(entry, "quantity", 1) or 1
        sub["items"]["data"].append(new_item(state, sub, price, qty))
    sub["items"]["total_count"] = len(entries)
    if as_bool(params, "cancel_at_period_end"):
        sub.update(cancel_at_period_end=True, cancel_at=sub["current_period_end"], canceled_at=now)
    period = (now, sub["current_period_end"])
    lines = [
        billing_cycle.item_line(state, sub, item, period, trial=bool(trial_end))
        for item in sub["items"]["data"]
    ]
    invoice = billing_cycle.bill(
        state, sub, lines, billing_reason="subscription_create", usage_period=(now, now)
    )
    if trial_end:
        if charge_with is None and behavior == "default_incomplete":
            intent = create_setup_intent(state, customer=customer["id"])
            state.meta[intent["id"]]["subscription"] = sub_id
            sub["pending_setup_intent"] = intent["id"]
            state.emit("setup_intent.created", intent)
    elif invoice["status"] == "paid":
        sub["status"] = "active"
    elif behavior == "default_incomplete":
        if charge_with is not None:
            intent = state.objects[invoice["payment_intent"]]
            intent.update(payment_method=charge_with, status="requires_confirmation")
    elif billing_cycle.collect(state, invoice, charge_with) == "paid":
        sub["status"] = "active"
    state.emit("customer.subscription.created", sub)
    if billing_cycle.trial_will_end_at(state, sub) == now:
        billing_cycle.send_trial_will_end(state, sub)
    return sub


def update(state: EmulatorState, sub: StripeObject, params: Params) -> StripeObject:
    """Change items (prorating), cancellation at period end, metadata or payment method."""
    check_known(params, UPDATE_PARAMS)
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise StripeError.invalid(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    proration = params.get("proration_behavior", "create_prorations")
    if proration not in PRORATION_BEHAVIORS:
        raise StripeError.invalid(
            f"Invalid proration_behavior: {proration}", param="proration_behavior"
        )
    behavior = params.get("payment_behavior", "allow_incomplete")
    if behavior not in UPDATE_PAYMENT_BEHAVIORS:
        raise StripeError.invalid(f"Invalid payment_behavior: {behavior}", param="payment_behavior")
    if behavior == "pending_if_incomplete":
        return _pending_update(state, sub, params, proration)
    if behavior == "error_if_incomplete" and as_list(params, "items"):
        _refuse_if_charge_fails(state, sub)
    to_collect: StripeObject | None = None
    with state.tracking(sub, "customer.subscription.updated"):
        if "automatic_tax" in params:
            automatic = _automatic_tax(params, sub["automatic_tax"])
            _require_tax_location(state, sub["customer"], automatic)
            sub["automatic_tax"] = automatic
        if "metadata" in params:
            _merge_metadata(sub, as_dict(params, "metadata"))
        if "description" in params:
            sub["description"] = params["description"] or None
        if "cancellation_details" in params:
            sub["cancellation_details"].update(as_dict(params, "cancellation_details"))
        if params.get("default_payment_method"):
            sub["default_payment_method"] = resolve_payment_method(
                state, params["default_payment_method"], customer=sub["customer"],
                param="default_payment_method",
            )["id"]  # fmt: skip
        if "payment_settings" in params:
            sub["payment_settings"].update(as_dict(params, "payment_settings"))
        if "cancel_at_period_end" in params:
            _set_cancel_at_period_end(state, sub, as_bool(params, "cancel_at_period_end"))
        entries = as_list(params, "items")
        if entries:
            desired = _desired_items(state, sub, entries)
            when = as_int(params, "proration_date", state.now()) or state.now()
            to_collect = replace_items(state, sub, desired, proration=proration, when=when)
    if to_collect is not None and to_collect["status"] == "open":
        billing_cycle.collect(state, to_collect)
    return sub


def _automatic_tax(params: Params, current: StripeObject | None) -> StripeObject:
    enabled = as_bool(
        as_dict(params, "automatic_tax"), "enabled", bool(current and current["enabled"])
    )
    return {"disabled_reason": None, "enabled": enabled,
            "liability": {"type": "self"} if enabled else None}  # fmt: skip


def _require_tax_location(state: EmulatorState, customer_id: str, automatic: StripeObject) -> None:
    """Stripe Tax needs to know where the customer is before it can tax a subscription."""
    customer = state.get("customer", customer_id)
    if automatic["enabled"] and not (customer.get("address") or {}).get("country"):
        raise StripeError(
            400, "invalid_request_error",
            "The customer's location isn't recognized. Set a valid customer address in order "
            "to automatically calculate tax.",
            code="customer_tax_location_invalid", param="automatic_tax[enabled]",
        )  # fmt: skip


def _refuse_if_charge_fails(state: EmulatorState, sub: StripeObject) -> None:
    """``error_if_incomplete``: a change whose charge would not go through answers 402 and
    changes nothing (a card that needs 3-D Secure off-session included)."""
    if sub["status"] not in ("active", "past_due"):
        return
    outcome = charge_outcome(state, billing_cycle.default_method(state, sub), sub["customer"])
    if outcome == "succeed":
        return
    if outcome == "authentication_required":
        raise StripeError.card(
            "subscription_payment_intent_requires_action", "authentication_required",
            "Payment for this subscription requires additional user action before it can be "
            "completed successfully.",
        )  # fmt: skip
    code, message = DECLINES.get(outcome or "", ("generic_decline", "Your card was declined."))
    raise StripeError.card("card_declined", code, message)


def _pending_update(
    state: EmulatorState, sub: StripeObject, params: Params, proration: str
) -> StripeObject:
    """``pending_if_incomplete``: bill the change now; apply it only once that invoice is paid,
    else keep the subscription as it was with the change in ``pending_update``."""
    unsupported = sorted(set(params) - PENDING_PARAMS)
    if unsupported:
        raise StripeError.invalid(
            "The following parameters cannot be used with `payment_behavior=pending_if_incomplete`"
            f": {', '.join(unsupported)}.",
            param=unsupported[0],
        )
    entries = as_list(params, "items")
    if not entries:
        raise StripeError.missing_param("items")
    if sub["pending_update"]:
        raise StripeError.invalid(
            "This subscription already has a pending update; pay its latest invoice or let it "
            "expire first."
        )
    desired = _desired_items(state, sub, entries)
    when = as_int(params, "proration_date", state.now()) or state.now()
    before = copy.deepcopy(sub)
    with state.tracking(sub, "customer.subscription.updated"):
        invoice = replace_items(state, sub, desired, proration=proration, when=when)
        if invoice is not None and invoice["status"] == "open":
            result = invoices.charge(state, invoice, billing_cycle.default_method(state, sub))
            if result != "paid":
                changed = copy.deepcopy(sub["items"]["data"])
                for key in ("items", "current_period_start", "current_period_end",
                            "billing_cycle_anchor"):  # fmt: skip
                    sub[key] = before[key]
                sub["pending_update"] = {
                    "billing_cycle_anchor": None,
                    "expires_at": state.now() + PENDING_UPDATE_EXPIRY_S,
                    "subscription_items": changed,
                    "trial_end": None,
                    "trial_from_plan": None,
                }
                state.meta[sub["id"]]["pending_invoice"] = invoice["id"]
    return sub


def _merge_metadata(obj: StripeObject, changes: Params) -> None:
    for key, value in changes.items():
        if value == "":
            obj["metadata"].pop(key, None)  # Stripe unsets a key sent empty
        else:
            obj["metadata"][key] = value


def _set_cancel_at_period_end(state: EmulatorState, sub: StripeObject, flag: bool) -> None:
    if sub["schedule"]:
        raise StripeError.invalid(
            f"The subscription is managed by the subscription schedule `{sub['schedule']}`, and "
            "updating any cancelation behavior directly is not allowed. Please update the "
            "schedule instead.",
            param="cancel_at_period_end",
        )
    sub["cancel_at_period_end"] = flag
    sub["cancel_at"] = sub["current_period_end"] if flag else None
    sub["canceled_at"] = state.now() if flag else None
    if not flag:
        sub["cancellation_details"] = {"comment": None, "feedback": None, "reason": None}


def _desired_items(state: EmulatorState, sub: StripeObject, entries: list[Any]) -> list[Params]:
    by_id = {item["id"]: item for item in sub["items"]["data"]}
    desired = {item["id"]: {"id": item["id"], "price": item["price"], "quantity": item["quantity"]}
               for item in sub["items"]["data"]}  # fmt: skip
    added: list[Params] = []
    for index, entry in enumerate(entries):
        item_id = entry.get("id")
        if item_id:
            if item_id not in by_id:
                raise StripeError.missing("subscription_item", item_id, param=f"items[{index}][id]")
            if as_bool(entry, "deleted"):
                del desired[item_id]
                continue
            if entry.get("price"):
                desired[item_id]["price"] = resolve_price(
                    state, entry["price"], f"items[{index}][price]"
                )
            desired[item_id]["quantity"] = as_int(entry, "quantity", desired[item_id]["quantity"])
        else:
            price = resolve_price(state, entry.get("price"), f"items[{index}][price]")
            added.append({"id": None, "price": price, "quantity": as_int(entry, "quantity", 1)})
    result = [*desired.values(), *added]
    if not result:
        raise StripeError.invalid("A subscription must have at least one active plan.")
    return result


def replace_items(
    state: EmulatorState,
    sub: StripeObject,
    desired: list[Params],
    *,
    proration: str,
    when: int,
) -> StripeObject | None:
    """Make the items match ``desired``; return an invoice to collect now, if one was billed."""
    _check_consistent([entry["price"] for entry in desired])
    live = {item["id"]: item for item in sub["items"]["data"]}
    # Shallow copies keep the old price and quantity for credits after the items change.
    old = {item_id: dict(item) for item_id, item in live.items()}
    old_interval = sub["items"]["data"][0]["price"]["recurring"]
    new_interval = desired[0]["price"]["recurring"]
    resets_cycle = (old_interval["interval"], old_interval["interval_count"]) != (
        new_interval["interval"], new_interval["interval_count"]
    )  # fmt: skip
    prorate = sub["status"] in ("active", "past_due") and proration != "none"
    lines: list[StripeObject] = []
    start, end = sub["current_period_start"], sub["current_period_end"]
    unused = max(0.0, (end - when) / (end - start)) if end > start else 0.0
    items: list[StripeObject] = []
    kept_ids = set()
    for entry in desired:
        before = old.get(entry["id"]) if entry["id"] else None
        item = live[before["id"]] if before is not None else new_item(state, sub, entry["price"], 1)
        unchanged = before is not None and (
            before["price"]["id"] == entry["price"]["id"]
            and before["quantity"] == entry["quantity"]
        )
        if prorate and not unchanged and not resets_cycle:
            if before is not None:
                lines.append(_proration_line(state, sub, before, -1, unused, (when, end)))
        item["price"], item["quantity"] = dict(entry["price"]), entry["quantity"]
        if prorate and not unchanged and not resets_cycle:
            lines.append(_proration_line(state, sub, item, 1, unused, (when, end)))
        items.append(item)
        kept_ids.add(item["id"])
    for item_id, item in old.items():
        if item_id not in kept_ids and prorate and not resets_cycle:
            lines.append(_proration_line(state, sub, item, -1, unused, (when, end)))
    if resets_cycle and prorate:
        lines = [
            _proration_line(state, sub, item, -1, unused, (when, end)) for item in old.values()
        ]
    sub["items"]["data"], sub["items"]["total_count"] = items, len(items)
    if resets_cycle:
        sub["billing_cycle_anchor"] = when
        billing_cycle.set_period(
            sub, when, add_interval(when, new_interval["interval"], new_interval["interval_count"])
        )
        period = (when, sub["current_period_end"])
        lines.extend(billing_cycle.item_line(state, sub, item, period) for item in items)
    else:
        billing_cycle.set_period(sub, start, end)
    if not lines:
        return None
    if resets_cycle or proration == "always_invoice":
        lines = billing_cycle.take_pending_lines(state, sub) + lines
        return billing_cycle.bill(
            state, sub, lines, billing_reason="subscription_update", usage_period=(start, when)
        )
    state.meta[sub["id"]].setdefault("pending_lines", []).extend(lines)
    return None


def _proration_line(
    state: EmulatorState,
    sub: StripeObject,
    item: StripeObject,
    sign: int,
    unused: float,
    period: tuple[int, int],
) -> StripeObject:
    price, qty = item["price"], item["quantity"]
    name = billing_cycle.product_name(state, price)
    verb = "Remaining" if sign > 0 else "Unused"
    return invoices.line_item(
        state,
        amount=sign * round(price["unit_amount"] * qty * unused),
        description=f"{verb} time on {qty} \N{MULTIPLICATION SIGN} {name} after {period[0]}",
        period=period,
        price=price,
        quantity=qty,
        proration=True,
        subscription=sub["id"],
        subscription_item=item["id"],
    )


def cancel(state: EmulatorState, sub: StripeObject, params: Params) -> StripeObject:
    """Cancel at once (``DELETE /v1/subscriptions/{id}``)."""
    check_known(params, CANCEL_PARAMS)
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise StripeError.invalid(
            f"No such subscription: '{sub['id']}'; it has already been canceled."
        )
    sub["cancellation_details"].update(as_dict(params, "cancellation_details"))
    if sub["status"] == "incomplete":
        for invoice in invoices.open_invoices(state, sub["id"]):
            invoices.void(state, invoice)
    billing_cycle.cancel_now(state, sub, reason="cancellation_requested")
    return sub
