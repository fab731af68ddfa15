"""Subscription schedules: created from a subscription, phases edited, released or ended.

A phase change that falls on the subscription's period end (the usual downgrade) swaps the
items just before the renewal bills them; one that falls mid-period applies with the phase's
``proration_behavior``.
"""

from __future__ import annotations

from typing import Any

from . import billing_cycle, subscriptions
from .errors import StripeError
from .forms import Params, as_dict, as_int, as_list, check_known
from .periods import add_interval
from .state import EmulatorState, StripeObject

CREATE_PARAMS = frozenset({"from_subscription", "metadata", "expand"})
UPDATE_PARAMS = frozenset({"phases", "end_behavior", "proration_behavior", "metadata", "expand"})
PHASE_PARAMS = frozenset(
    {"items", "start_date", "end_date", "iterations", "duration", "proration_behavior", "metadata"}
)


def create(state: EmulatorState, params: Params) -> StripeObject:
    """Create a schedule that mirrors a subscription's current period as its first phase."""
    check_known(params, CREATE_PARAMS)
    if not params.get("from_subscription"):
        raise StripeError.invalid("The emulator only creates schedules `from_subscription`.")
    sub = state.get("subscription", params["from_subscription"], param="from_subscription")
    if sub["schedule"]:
        raise StripeError.invalid(
            f"You cannot migrate a subscription that is already attached to a schedule: "
            f"`{sub['schedule']}`.",
            param="from_subscription",
        )
    now = state.now()
    phase = _phase(
        sub,
        items=[(item["price"], item["quantity"]) for item in sub["items"]["data"]],
        start=sub["current_period_start"],
        end=sub["current_period_end"],
        proration="create_prorations",
        metadata={},
    )
    schedule = state.put(
        {
            "id": state.new_id("sub_sched"),
            "object": "subscription_schedule",
            "application": None,
            "canceled_at": None,
            "completed_at": None,
            "created": now,
            "current_phase": {"start_date": phase["start_date"], "end_date": phase["end_date"]},
            "customer": sub["customer"],
            "default_settings": {
                "billing_cycle_anchor": "automatic",
                "collection_method": "charge_automatically",
                "default_payment_method": None,
            },
            "end_behavior": "release",
            "livemode": False,
            "metadata": dict(as_dict(params, "metadata")),
            "phases": [phase],
            "released_at": None,
            "released_subscription": None,
            "status": "active",
            "subscription": sub["id"],
            "test_clock": sub.get("test_clock"),
        }
    )
    state.emit("subscription_schedule.created", schedule)
    with state.tracking(sub, "customer.subscription.updated"):
        sub["schedule"] = schedule["id"]
    return schedule


def _phase(
    sub: StripeObject,
    *,
    items: list[tuple[StripeObject, int]],
    start: int,
    end: int,
    proration: str,
    metadata: Params,
) -> StripeObject:
    return {
        "add_invoice_items": [],
        "billing_cycle_anchor": None,
        "collection_method": None,
        "currency": sub["currency"],
        "default_payment_method": None,
        "discounts": [],
        "end_date": end,
        "items": [
            {
                "discounts": [],
                "metadata": {},
                "price": price["id"],
                "quantity": qty,
                "tax_rates": [],
            }
            for price, qty in items
        ],
        "metadata": metadata,
        "proration_behavior": proration,
        "start_date": start,
        "trial_end": None,
    }


def update(state: EmulatorState, schedule: StripeObject, params: Params) -> StripeObject:
    """Replace the phases (the current one must keep its start) and apply the current one."""
    check_known(params, UPDATE_PARAMS)
    if schedule["status"] not in ("active", "not_started"):
        raise StripeError.invalid(
            f"You cannot update a subscription schedule that is currently in the "
            f"`{schedule['status']}` status. It must be in `not_started` or `active`."
        )
    sub = state.objects[schedule["subscription"]]
    apply_now: StripeObject | None = None
    with state.tracking(schedule, "subscription_schedule.updated"):
        if "end_behavior" in params:
            if params["end_behavior"] not in ("release", "cancel"):
                raise StripeError.invalid("Invalid end_behavior.", param="end_behavior")
            schedule["end_behavior"] = params["end_behavior"]
        if "metadata" in params:
            schedule["metadata"].update(as_dict(params, "metadata"))
        entries = as_list(params, "phases")
        if entries:
            schedule["phases"] = _parse_phases(state, schedule, sub, entries)
            current = schedule["phases"][0]
            schedule["current_phase"] = {
                "start_date": current["start_date"],
                "end_date": current["end_date"],
            }
            apply_now = current
    if apply_now is not None and _items_differ(sub, apply_now):
        proration = str(params.get("proration_behavior") or apply_now["proration_behavior"])
        _apply_phase(state, sub, apply_now, proration=proration)
    return schedule


def _parse_phases(
    state: EmulatorState, schedule: StripeObject, sub: StripeObject, entries: list[Any]
) -> list[StripeObject]:
    phases: list[StripeObject] = []
    start = schedule["current_phase"]["start_date"] if schedule["current_phase"] else state.now()
    for index, entry in enumerate(entries):
        check_known(entry, PHASE_PARAMS)
        given = entry.get("start_date")
        if given is not None and given != "now":
            given_start = as_int(entry, "start_date")
            if index == 0 and given_start != start:
                raise StripeError.invalid(
                    "You can not modify the start date of the current phase.",
                    param="phases[0][start_date]",
                )
            start = given_start or start
        items = [
            (
                subscriptions.resolve_price(
                    state, item.get("price"), f"phases[{index}][items][{n}][price]"
                ),
                as_int(item, "quantity", 1) or 1,
            )
            for n, item in enumerate(as_list(entry, "items"))
        ]
        if not items:
            raise StripeError.missing_param(f"phases[{index}][items]")
        end = _phase_end(entry, start, items[0][0], index)
        phases.append(
            _phase(
                sub,
                items=items,
                start=start,
                end=end,
                proration=entry.get("proration_behavior", "create_prorations"),
                metadata=dict(as_dict(entry, "metadata")),
            )
        )
        start = end
    return phases


def _phase_end(entry: Params, start: int, price: StripeObject, index: int) -> int:
    explicit = as_int(entry, "end_date")
    if explicit is not None:
        if explicit <= start:
            raise StripeError.invalid(
                "The phase end date must be after its start date.",
                param=f"phases[{index}][end_date]",
            )
        return explicit
    duration = as_dict(entry, "duration")
    if duration:
        return add_interval(start, duration["interval"], as_int(duration, "interval_count", 1) or 1)
    recurring = price["recurring"]
    iterations = as_int(entry, "iterations", 1) or 1
    return add_interval(start, recurring["interval"], recurring["interval_count"] * iterations)


def _items_differ(sub: StripeObject, phase: StripeObject) -> bool:
    current = sorted((item["price"]["id"], item["quantity"]) for item in sub["items"]["data"])
    wanted = sorted((item["price"], item["quantity"]) for item in phase["items"])
    return current != wanted


def _apply_phase(
    state: EmulatorState, sub: StripeObject, phase: StripeObject, *, proration: str
) -> None:
    """Give the subscription the phase's items, reusing items whose price stays."""
    existing = {item["price"]["id"]: item["id"] for item in sub["items"]["data"]}
    desired = [
        {
            "id": existing.pop(entry["price"], None),
            "price": state.objects[entry["price"]],
            "quantity": entry["quantity"],
        }
        for entry in phase["items"]
    ]
    with state.tracking(sub, "customer.subscription.updated"):
        invoice = subscriptions.replace_items(
            state, sub, desired, proration=proration, when=state.now()
        )
    if invoice is not None and invoice["status"] == "open":
        billing_cycle.collect(state, invoice)


def phase_end_due(schedule: StripeObject) -> int | None:
    """Return when the schedule's current phase ends, if it is running."""
    if schedule["status"] != "active" or not schedule["current_phase"]:
        return None
    end: int | None = schedule["current_phase"]["end_date"]
    return end


def advance_phase(state: EmulatorState, schedule: StripeObject) -> None:
    """Move to the next phase at its start, or end the schedule after the last one."""
    now = state.now()
    sub = state.objects[schedule["subscription"]]
    upcoming = [p for p in schedule["phases"] if p["start_date"] >= now]
    if not upcoming:
        _finish(state, schedule, sub)
        return
    phase = upcoming[0]
    with state.tracking(schedule, "subscription_schedule.updated"):
        schedule["current_phase"] = {
            "start_date": phase["start_date"],
            "end_date": phase["end_date"],
        }
    if _items_differ(sub, phase):
        # On the period boundary the renewal bills the new items in full: nothing to prorate.
        on_boundary = now == sub["current_period_end"]
        proration = "none" if on_boundary else phase["proration_behavior"]
        _apply_phase(state, sub, phase, proration=proration)


def _finish(state: EmulatorState, schedule: StripeObject, sub: StripeObject) -> None:
    now = state.now()
    if schedule["end_behavior"] == "cancel":
        schedule.update(status="completed", completed_at=now, current_phase=None)
        state.emit("subscription_schedule.completed", schedule)
        with state.tracking(sub, "customer.subscription.updated"):
            sub["schedule"] = None
        billing_cycle.cancel_now(state, sub, reason="cancellation_requested")
        return
    release(state, schedule)


def release(state: EmulatorState, schedule: StripeObject) -> StripeObject:
    """Detach the subscription, which keeps its current items and renews as usual."""
    if schedule["status"] not in ("active", "not_started"):
        raise StripeError.invalid(
            f"You cannot release a subscription schedule that is currently in the "
            f"`{schedule['status']}` status."
        )
    now = state.now()
    sub = state.objects[schedule["subscription"]]
    schedule.update(
        status="released",
        released_at=now,
        released_subscription=sub["id"],
        current_phase=None,
    )
    state.emit("subscription_schedule.released", schedule)
    with state.tracking(sub, "customer.subscription.updated"):
        sub["schedule"] = None
    return schedule


def cancel(state: EmulatorState, schedule: StripeObject) -> StripeObject:
    """Cancel the schedule and, as Stripe does, its subscription."""
    if schedule["status"] not in ("active", "not_started"):
        raise StripeError.invalid(
            f"You cannot cancel a subscription schedule that is currently in the "
            f"`{schedule['status']}` status."
        )
    sub = state.objects[schedule["subscription"]]
    billing_cycle.cancel_now(state, sub, reason="cancellation_requested")
    return schedule
