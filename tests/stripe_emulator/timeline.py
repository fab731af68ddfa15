"""Advancing the emulator's clock: every due transition runs at its own moment, in order."""

from __future__ import annotations

from collections.abc import Callable

from . import billing_cycle, schedules
from .state import EmulatorState, StripeObject

Action = tuple[int, int, int, Callable[[], None]]

# At one moment: schedule phases first (so a renewal bills the new phase's items), then
# period ends, then trial warnings and payment retries.
_PHASE, _PERIOD, _TRIAL_WARNING, _RETRY = range(4)
_MAX_STEPS = 10_000


def advance_to(state: EmulatorState, target: int) -> int:
    """Run every transition due up to ``target``; return how many ran."""
    if target < state.now():
        raise ValueError("the emulator clock cannot go backwards")
    steps = 0
    while steps < _MAX_STEPS:
        due = [action for action in _actions(state) if action[0] <= target]
        if not due:
            break
        moment, _, _, run = min(due, key=lambda action: action[:3])
        state.clock.move_to(max(moment, state.now()))
        run()
        steps += 1
    else:
        raise RuntimeError("too many transitions while advancing the emulator clock")
    state.clock.move_to(target)
    return steps


def _actions(state: EmulatorState) -> list[Action]:
    actions: list[Action] = []
    for order, obj in enumerate(list(state.objects.values())):
        kind = obj.get("object")
        if kind == "subscription":
            actions.extend(_subscription_actions(state, obj, order))
        elif kind == "subscription_schedule":
            due = schedules.phase_end_due(obj)
            if due is not None:
                actions.append((due, _PHASE, order, _bind(schedules.advance_phase, state, obj)))
        elif kind == "invoice" and obj["status"] == "open" and obj["next_payment_attempt"]:
            actions.append((obj["next_payment_attempt"], _RETRY, order, _bind(_retry, state, obj)))
    return actions


def _subscription_actions(state: EmulatorState, sub: StripeObject, order: int) -> list[Action]:
    status = sub["status"]
    if status == "incomplete":
        expires = sub["created"] + state.settings.incomplete_expiry_seconds
        return [(expires, _PERIOD, order, _bind(billing_cycle.expire_incomplete, state, sub))]
    if status not in billing_cycle.LIVE_STATUSES:
        return []
    actions = [(sub["current_period_end"], _PERIOD, order, _bind(billing_cycle.renew, state, sub))]
    if sub["pending_update"]:
        expires = sub["pending_update"]["expires_at"]
        actions.append(
            (expires, _PERIOD, order, _bind(billing_cycle.expire_pending_update, state, sub))
        )
    upcoming = billing_cycle.upcoming_due(state, sub)
    if upcoming is not None:
        actions.append(
            (upcoming, _TRIAL_WARNING, order, _bind(billing_cycle.send_upcoming, state, sub))
        )
    warning = billing_cycle.trial_will_end_at(state, sub)
    if warning is not None:
        actions.append(
            (warning, _TRIAL_WARNING, order, _bind(billing_cycle.send_trial_will_end, state, sub))
        )
    return actions


def _retry(state: EmulatorState, invoice: StripeObject) -> None:
    billing_cycle.collect(state, invoice)


def _bind(
    function: Callable[[EmulatorState, StripeObject], None],
    state: EmulatorState,
    obj: StripeObject,
) -> Callable[[], None]:
    return lambda: function(state, obj)
