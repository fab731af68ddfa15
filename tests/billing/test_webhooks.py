"""Stripe's webhooks: only signed, fresh ones count; duplicates and reordering change nothing."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from tests.gateway_signing import as_gateway
from tests.stack import Producer
from tests.stripe_emulator import sign_payload

from .conftest import BillingStack, customer_id, gateway_tier, subscription


def _latest(stack: BillingStack, event_type: str, customer: str) -> dict[str, Any]:
    found = [
        e for e in stack.emulator.events(event_type)
        if e["data"]["object"].get("customer") == customer
    ]  # fmt: skip
    return found[-1]


def _post(stack: BillingStack, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return httpx.post(
        f"{stack.url}/api/billing/webhook", auth=as_gateway(), content=body, headers=headers
    )


@pytest.mark.parametrize(
    "attack", ["wrong secret", "tampered body", "old timestamp", "no signature", "not json"]
)
def test_forged_or_replayed_webhooks_answer_400_and_change_nothing(
    billing_stack: BillingStack, attack: str
) -> None:
    body = b'{"id": "evt_forged", "type": "customer.deleted", "created": 1, "data": {"object": {}}}'
    secret, moment = billing_stack.endpoint.secret, int(time.time())
    signature: str | None = sign_payload(body, secret, moment)
    if attack == "wrong secret":
        signature = sign_payload(body, "whsec_attacker", moment)
    elif attack == "tampered body":
        body = body.replace(b"evt_forged", b"evt_forgeD")
    elif attack == "old timestamp":
        signature = sign_payload(body, secret, moment - 3600)
    elif attack == "no signature":
        signature = None
    else:
        body = b"not json at all"
        signature = sign_payload(body, secret, moment)

    response = _post(billing_stack, body, signature)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"


def test_a_correctly_signed_event_for_nobody_is_accepted_and_ignored(
    billing_stack: BillingStack,
) -> None:
    body = b'{"id": "evt_stranger", "type": "customer.deleted", "created": 1,' \
        b' "data": {"object": {"object": "customer", "id": "cus_nobody"}}}'  # fmt: skip
    signature = sign_payload(body, billing_stack.endpoint.secret)
    first = _post(billing_stack, body, signature)
    again = _post(billing_stack, body, signature)
    assert first.status_code == again.status_code == 200
    assert (first.json()["outcome"], again.json()["outcome"]) == ("ignored", "duplicate")


def test_duplicate_and_concurrent_deliveries_of_one_event_act_once(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    answer = api.post(
        "/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=producer.auth
    )
    billing_stack.emulator.confirm_payment(answer.json()["client_secret"].split("_secret_")[0])
    billing_stack.wait()
    billing_stack.mailbox.wait_for(producer.email, "receipt")
    paid = _latest(billing_stack, "invoice.paid", customer_id(billing_stack, producer))
    mails_before = billing_stack.mailbox.count(producer.email)
    # The same event twice, and a new event id four times at once (racing to be first).
    again = {**paid, "id": f"{paid['id']}_again"}
    events = [paid, paid, again, again, again, again]

    outcomes: list[int | None] = []
    threads = [
        threading.Thread(
            target=lambda e=event: outcomes.append(
                billing_stack.emulator.deliver(e, billing_stack.endpoint).status
            )
        )
        for event in events
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == [200] * 6
    invoices = api.get("/api/billing/invoices", headers=producer.auth).json()
    assert invoices["total"] == 1
    deadline = time.monotonic() + 10
    while (
        billing_stack.mailbox.count(producer.email) == mails_before and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    time.sleep(1.5)  # a second receipt, if one were queued, would go out within this
    assert billing_stack.mailbox.count(producer.email) == mails_before + 1


def test_updated_delivered_after_deleted_leaves_the_subscription_ended(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    answer = api.post(
        "/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=producer.auth
    )
    billing_stack.emulator.confirm_payment(answer.json()["client_secret"].split("_secret_")[0])
    billing_stack.wait()
    customer = customer_id(billing_stack, producer)
    updated = _latest(billing_stack, "customer.subscription.updated", customer)
    billing_stack.stripe.subscriptions.cancel(updated["data"]["object"]["id"])
    billing_stack.wait()
    assert subscription(api, producer)["tier"] == "free"

    # The older "updated" (status active) arrives again, late, under a brand-new event id.
    stale = {**updated, "id": f"{updated['id']}_late"}
    assert billing_stack.emulator.deliver(stale, billing_stack.endpoint).status == 200

    after = subscription(api, producer)
    assert (after["tier"], after["status"]) == ("free", "canceled")
    assert gateway_tier(billing_stack, producer) == "free"


def test_invoice_paid_before_subscription_created_ends_active(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    api.post("/api/billing/portal", headers=producer.auth)  # creates the Stripe customer
    customer = customer_id(billing_stack, producer)
    billing_stack.endpoint.enabled_events = ()  # Stripe's deliveries are held back...
    try:
        billing_stack.stripe.customers.update(
            customer,
            params={"payment_method": "pm_card_visa",
                    "invoice_settings": {"default_payment_method": "pm_card_visa"}},
        )  # fmt: skip
        billing_stack.stripe.subscriptions.create(
            params={"customer": customer, "items": [{"price": billing_stack.prices["pro"]}]}
        )  # e.g. made by support in the Stripe dashboard
    finally:
        billing_stack.endpoint.enabled_events = ("*",)
    paid = _latest(billing_stack, "invoice.paid", customer)
    created = _latest(billing_stack, "customer.subscription.created", customer)

    # ...and then arrive in the wrong order.
    assert billing_stack.emulator.deliver(paid, billing_stack.endpoint).status == 200
    assert billing_stack.emulator.deliver(created, billing_stack.endpoint).status == 200

    state = subscription(api, producer)
    assert (state["tier"], state["status"]) == ("pro", "active")
    assert gateway_tier(billing_stack, producer) == "pro"
    assert api.get("/api/billing/invoices", headers=producer.auth).json()["total"] == 1
