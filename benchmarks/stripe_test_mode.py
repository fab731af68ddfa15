"""Run one subscription lifecycle against real Stripe test mode and the local emulator.

Without ``STRIPE_SECRET_KEY=sk_test_...`` only the emulator runs (or, with ``--require-stripe``,
nothing) and the script says so and exits 0. A live key (``sk_live_``/``rk_live_``) is refused.
With a test key both run and the script prints each observation side by side and the ratio of
observations on which the emulator agrees with Stripe. Time moves with test clocks on both.

    STRIPE_SECRET_KEY=sk_test_... .venv/bin/python benchmarks/stripe_test_mode.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import stripe

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HOUR, DAY = 3600, 86_400
Observations = list[tuple[str, Any]]


def wait_ready(api: Any, clock_id: str, timeout: float = 180) -> None:
    """Poll a test clock until Stripe has finished advancing it."""
    deadline = time.monotonic() + timeout
    while api.test_helpers.test_clocks.retrieve(clock_id).status != "ready":
        if time.monotonic() > deadline:
            raise TimeoutError(f"test clock {clock_id} still advancing after {timeout}s")
        time.sleep(2)


def lifecycle(api: Any) -> Observations:
    """Subscribe, pay, upgrade, downgrade by schedule, fail a renewal, cancel; note what shows."""
    seen: Observations = []
    tag = uuid.uuid4().hex[:8]
    clock = api.test_helpers.test_clocks.create(params={"frozen_time": int(time.time())})

    def advance(to: int) -> None:
        api.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": to})
        wait_ready(api, clock.id)

    product = api.products.create(params={"name": f"Sample Cloud benchmark {tag}"})
    prices = {
        name: api.prices.create(
            params={
                "product": product.id,
                "currency": "usd",
                "unit_amount": amount,
                "recurring": {"interval": "month"},
                "lookup_key": f"{name}_{tag}",
            }
        )
        for name, amount in (("basic", 500), ("pro", 1500))
    }
    try:
        customer = api.customers.create(
            params={"email": f"bench-{tag}@example.com", "test_clock": clock.id}
        )
        sub = api.subscriptions.create(
            params={
                "customer": customer.id,
                "items": [{"price": prices["basic"].id}],
                "payment_behavior": "default_incomplete",
                "payment_settings": {"save_default_payment_method": "on_subscription"},
                "expand": ["latest_invoice.confirmation_secret", "latest_invoice.payments"],
            }
        )
        invoice = sub.latest_invoice
        seen += [
            ("created: status", sub.status),
            ("first invoice: status", invoice.status),
            ("first invoice: amount_due", invoice.amount_due),
            ("confirmation_secret type", invoice.confirmation_secret.type),
        ]
        intent_id = invoice.payments.data[0].payment.payment_intent
        intent = api.payment_intents.confirm(intent_id, params={"payment_method": "pm_card_visa"})
        sub = api.subscriptions.retrieve(sub.id)
        seen += [
            ("confirm: intent status", intent.status),
            ("confirm: status", sub.status),
            ("default pm saved", bool(sub.default_payment_method)),
        ]

        item = sub["items"].data[0]
        start, end = item.current_period_start, item.current_period_end
        advance(start + 10 * DAY)
        sub = api.subscriptions.update(
            sub.id,
            params={
                "items": [{"id": item.id, "price": prices["pro"].id}],
                "proration_behavior": "always_invoice",
                "expand": ["latest_invoice"],
            },
        )
        unused = (end - (start + 10 * DAY)) / (end - start)
        expected = round(1500 * unused) - round(500 * unused)
        seen += [
            ("upgrade: invoice reason", sub.latest_invoice.billing_reason),
            (
                "upgrade: amount within 1% of formula",
                abs(sub.latest_invoice.amount_due - expected) <= expected / 100,
            ),
        ]

        schedule = api.subscription_schedules.create(params={"from_subscription": sub.id})
        phase = schedule.phases[0]
        api.subscription_schedules.update(
            schedule.id,
            params={
                "end_behavior": "release",
                "phases": [
                    {
                        "items": [{"price": prices["pro"].id, "quantity": 1}],
                        "start_date": phase.start_date,
                        "end_date": phase.end_date,
                    },
                    {"items": [{"price": prices["basic"].id, "quantity": 1}], "iterations": 1},
                ],
            },
        )
        advance(end + 2 * HOUR)
        sub = api.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
        seen += [
            ("downgrade: price at renewal", sub["items"].data[0].price.id == prices["basic"].id),
            ("renewal: amount_paid", sub.latest_invoice.amount_paid),
            ("renewal: invoice status", sub.latest_invoice.status),
        ]

        api.subscription_schedules.release(schedule.id)
        failing = api.payment_methods.attach(
            "pm_card_chargeCustomerFail", params={"customer": customer.id}
        )
        api.subscriptions.update(sub.id, params={"default_payment_method": failing.id})
        next_end = sub["items"].data[0].current_period_end
        advance(next_end + 2 * HOUR)
        sub = api.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
        seen += [
            ("failed renewal: status", sub.status),
            ("failed renewal: invoice", sub.latest_invoice.status),
            (
                "failed renewal: retry scheduled",
                sub.latest_invoice.next_payment_attempt is not None,
            ),
        ]

        sub = api.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
        seen.append(
            (
                "cancel: cancel_at is period end",
                sub.cancel_at == sub["items"].data[0].current_period_end,
            )
        )
        advance(sub["items"].data[0].current_period_end + 2 * HOUR)
        seen.append(("cancel: status at period end", api.subscriptions.retrieve(sub.id).status))
        types = {e.type for e in api.events.list(params={"limit": 100}).data}
        for wanted in (
            "customer.subscription.created",
            "customer.subscription.deleted",
            "invoice.paid",
            "invoice.payment_failed",
        ):
            seen.append((f"event {wanted}", wanted in types))
    finally:
        api.test_helpers.test_clocks.delete(clock.id)
        for price in prices.values():
            api.prices.update(price.id, params={"active": False, "lookup_key": ""})
    return seen


def go_live(api: Any) -> Observations:
    """Issue 22's paths: a trial that ends without a card, and an upgrade whose card needs 3-D
    Secure (Stripe's 4000 0027 6000 3184, ``pm_card_authenticationRequired``) through a pending
    update; then Stripe's answer to the same upgrade with ``error_if_incomplete``."""
    seen: Observations = []
    tag = uuid.uuid4().hex[:8]
    clock = api.test_helpers.test_clocks.create(params={"frozen_time": int(time.time())})

    def advance(to: int) -> None:
        api.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": to})
        wait_ready(api, clock.id)

    product = api.products.create(params={"name": f"Sample Cloud go-live {tag}"})
    prices = {
        name: api.prices.create(
            params={"product": product.id, "currency": "usd", "unit_amount": amount,
                    "recurring": {"interval": "month"}, "lookup_key": f"{name}_{tag}"}
        )
        for name, amount in (("basic", 500), ("pro", 1500))
    }  # fmt: skip
    try:
        bare = api.customers.create(params={"email": f"trial-{tag}@example.com",
                                            "test_clock": clock.id})  # fmt: skip
        trial = api.subscriptions.create(params={
            "customer": bare.id, "items": [{"price": prices["pro"].id}],
            "trial_period_days": 14, "payment_behavior": "default_incomplete",
            "trial_settings": {"end_behavior": {"missing_payment_method": "cancel"}},
        })  # fmt: skip
        seen.append(("trial without card: status", trial.status))
        advance(trial.trial_end + 2 * HOUR)
        ended = api.subscriptions.retrieve(trial.id)
        seen.append(("trial without card: status at trial end", ended.status))

        customer = api.customers.create(params={
            "email": f"3ds-{tag}@example.com", "test_clock": clock.id,
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        })  # fmt: skip
        sub = api.subscriptions.create(params={
            "customer": customer.id, "items": [{"price": prices["basic"].id}],
        })  # fmt: skip
        seen.append(("3ds: paid with a plain card first", sub.status))
        # The producer's new card always asks for 3-D Secure, off-session too (4000 0027 6000 3184).
        strict = api.payment_methods.attach(
            "pm_card_authenticationRequired", params={"customer": customer.id}
        )
        sub = api.subscriptions.update(sub.id, params={"default_payment_method": strict.id})
        if sub.status == "active":
            item = sub["items"].data[0].id
            params = {"items": [{"id": item, "price": prices["pro"].id}],
                      "proration_behavior": "always_invoice",
                      "expand": ["latest_invoice.payments"]}  # fmt: skip
            try:
                api.subscriptions.update(sub.id, params=params | {
                    "payment_behavior": "error_if_incomplete"})  # fmt: skip
                seen.append(("3ds upgrade error_if_incomplete: http", 200))
            except stripe.CardError as exc:
                seen.append(("3ds upgrade error_if_incomplete: http", exc.http_status))
            pending = api.subscriptions.update(sub.id, params=params | {
                "payment_behavior": "pending_if_incomplete"})  # fmt: skip
            seen += [
                ("3ds upgrade pending: has pending_update", pending.pending_update is not None),
                ("3ds upgrade pending: price kept",
                 pending["items"].data[0].price.id == prices["basic"].id),
                ("3ds upgrade pending: invoice status", pending.latest_invoice.status),
            ]  # fmt: skip
    finally:
        api.test_helpers.test_clocks.delete(clock.id)
        for price in prices.values():
            api.prices.update(price.id, params={"active": False, "lookup_key": ""})
    return seen


def observe(api: Any) -> Observations:
    """Every path this script compares."""
    return lifecycle(api) + go_live(api)


def on_emulator(run: Callable[[Any], Observations]) -> Observations:
    """Run the lifecycle against a fresh local emulator."""
    from tests.stripe_emulator import EmulatorServer

    with EmulatorServer() as emulator:
        return run(emulator.client().v1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-stripe", action="store_true", help="skip the emulator-only run")
    args = parser.parse_args()
    key = os.environ.get("STRIPE_SECRET_KEY", "")
    if key.startswith(("sk_live_", "rk_live_")):
        print("refusing: STRIPE_SECRET_KEY is a live key; this script only runs in test mode")
        return 2
    emulated = on_emulator(observe) if not args.require_stripe else []
    if not key.startswith(("sk_test_", "rk_test_")):
        print("Stripe test mode: skipped (set STRIPE_SECRET_KEY=sk_test_... to compare)")
        for name, value in emulated:
            print(f"  emulator  {name:<42} {value!r}")
        return 0
    real = observe(stripe.StripeClient(key, max_network_retries=2).v1)
    emulated_by_name = dict(emulated)
    agree = 0
    for name, value in real:
        other = emulated_by_name.get(name, "(not run)")
        agree += other == value
        verdict = "same" if other == value else "DIFF"
        print(f"  {verdict}  {name:<42} stripe={value!r} emulator={other!r}")
    print(f"emulator/stripe agreement: {agree}/{len(real)} = {agree / max(1, len(real)):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
