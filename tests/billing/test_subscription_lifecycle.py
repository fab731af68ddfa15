"""A producer's subscription from trial to cancellation, driven through the API and Stripe's
clock (the emulator), with Stripe's webhooks reaching the platform as they would in production."""

from __future__ import annotations

import httpx

from tests.stack import Producer

from .conftest import (
    DAY,
    BillingStack,
    customer_id,
    gateway_tier,
    pay,
    stripe_subscription,
    subscribed,
    subscription,
)


def test_plans_are_public_and_show_the_prd_limits(api: httpx.Client) -> None:
    response = api.get("/api/billing/plans")
    assert response.status_code == 200
    plans = {plan["id"]: plan for plan in response.json()["plans"]}
    assert list(plans) == ["free", "pro", "enterprise"]
    assert plans["free"]["price"] == 0 and plans["free"]["features"]["storage_gb"] == 0.1
    assert plans["pro"]["price"] == 29 and plans["pro"]["trial_days"] == 14
    pro = plans["pro"]["features"]
    assert (pro["storage_gb"], pro["analyses_per_month"], pro["api_requests_per_day"]) == (
        5,
        500,
        10000,
    )
    assert plans["enterprise"]["features"]["storage_gb"] is None  # unlimited
    assert all(plan["available"] for plan in plans.values())


def test_the_invoice_list_pages_and_refuses_an_offset_past_its_bound(
    api: httpx.Client, producer: Producer
) -> None:
    # A Free producer has no invoices: a page past the end is empty, not an error.
    far = api.get("/api/billing/invoices", params={"offset": 1_000_000}, headers=producer.auth)
    assert far.status_code == 200 and far.json()["invoices"] == []
    # An offset past a bigint (found by the fuzz run) is the caller's mistake, not a 500.
    for offset in ("1000001", "288098261138556170797056", "-1"):
        refused = api.get("/api/billing/invoices", params={"offset": offset}, headers=producer.auth)
        assert refused.status_code == 422, (offset, refused.text)


def test_pro_trial_warns_three_days_ahead_then_bills_and_turns_active(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    answer = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=producer.auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["intent_type"] == "setup" and body["client_secret"].startswith("seti_")
    assert body["subscription_id"] == subscription(api, producer)["id"]
    pay(billing_stack, body)

    trial = subscription(api, producer)
    assert (trial["tier"], trial["status"]) == ("pro", "trialing")
    assert trial["trial_ends_at"] and trial["trial_available"] is False
    assert trial["usage"]["storage_limit_mb"] == 5120 and trial["usage"]["analyses_limit"] == 500
    assert gateway_tier(billing_stack, producer) == "pro"

    billing_stack.emulator.advance(11 * DAY)
    billing_stack.wait()
    warning = billing_stack.mailbox.wait_for(producer.email, "trial ends soon")
    assert "cancel" in warning.get_content()

    billing_stack.emulator.advance(3 * DAY)
    billing_stack.wait()
    active = subscription(api, producer)
    assert (active["tier"], active["status"], active["price"]) == ("pro", "active", 29)
    assert active["next_billing_date"] == active["current_period_end"][:10]
    billing_stack.mailbox.wait_for(producer.email, "receipt")
    invoices = api.get("/api/billing/invoices", headers=producer.auth).json()
    assert [i["amount_paid"] for i in invoices["invoices"]] == [2900, 0]
    first = invoices["invoices"][0]
    assert first["status"] == "paid" and first["number"] and first["currency"] == "usd"
    assert first["hosted_invoice_url"].startswith(billing_stack.emulator.url)
    assert (
        first["invoice_pdf"].endswith("/pdf") and first["period"]["start"] < first["period"]["end"]
    )

    again = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=producer.auth)
    assert again.status_code == 409


def test_a_second_pro_subscription_gets_no_second_trial(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer)
    billing_stack.stripe.subscriptions.cancel(stripe_subscription(billing_stack, producer).id)
    billing_stack.wait()
    assert subscription(api, producer)["tier"] == "free"

    answer = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=producer.auth)
    assert answer.json()["intent_type"] == "payment" and answer.json()["status"] == "incomplete"
    assert subscription(api, producer)["tier"] == "free"  # nothing until it is paid
    pay(billing_stack, answer.json())
    assert subscription(api, producer)["status"] == "active"


def test_a_retried_subscribe_with_the_same_idempotency_key_creates_one_subscription(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    headers = producer.auth | {"Idempotency-Key": "click-1"}
    first = api.post("/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=headers)
    second = api.post("/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["client_secret"] == second.json()["client_secret"]
    listed = billing_stack.stripe.subscriptions.list(
        params={"customer": customer_id(billing_stack, producer), "status": "all"}
    )
    assert len(listed.data) == 1


def test_choosing_the_current_plan_again_drops_a_pending_downgrade(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    api.post("/api/billing/change", json={"plan_id": "pro"}, headers=producer.auth)
    assert subscription(api, producer)["pending_tier"] == "pro"

    kept = api.post("/api/billing/change", json={"plan_id": "enterprise"}, headers=producer.auth)

    assert kept.status_code == 200, kept.text
    assert (kept.json()["tier"], kept.json()["pending_tier"]) == ("enterprise", None)
    assert stripe_subscription(billing_stack, producer).schedule is None


def test_upgrade_from_pro_changes_tier_and_gateway_key_before_any_webhook(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    api.post("/api/billing/change", json={"plan_id": "pro"}, headers=producer.auth)
    end = stripe_subscription(billing_stack, producer).current_period_end
    billing_stack.emulator.advance_to(end)
    billing_stack.wait()
    assert subscription(api, producer)["tier"] == "pro"
    billing_stack.emulator.advance(10 * DAY)

    billing_stack.endpoint.enabled_events = ()  # hold Stripe's webhooks back
    try:
        answer = api.post(
            "/api/billing/change", json={"plan_id": "enterprise"}, headers=producer.auth
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["tier"] == "enterprise"
        assert gateway_tier(billing_stack, producer) == "enterprise"
        assert subscription(api, producer)["usage"]["storage_limit_mb"] is None
    finally:
        billing_stack.endpoint.enabled_events = ("*",)
    latest = billing_stack.stripe.invoices.retrieve(
        stripe_subscription(billing_stack, producer).latest_invoice
    )
    assert latest.billing_reason == "subscription_update" and latest.status == "paid"
    assert 0 < latest.amount_paid < 9900 - 2900


def test_downgrade_waits_for_the_period_end(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    answer = api.post("/api/billing/change", json={"plan_id": "pro"}, headers=producer.auth)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["tier"], answer.json()["pending_tier"]) == ("enterprise", "pro")
    assert gateway_tier(billing_stack, producer) == "enterprise"

    billing_stack.emulator.advance_to(
        stripe_subscription(billing_stack, producer).current_period_end
    )
    billing_stack.wait()

    after = subscription(api, producer)
    assert (after["tier"], after["pending_tier"], after["price"]) == ("pro", None, 29)
    assert gateway_tier(billing_stack, producer) == "pro"


def test_cancel_keeps_features_until_period_end_and_resume_undoes_it(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    cancelled = api.post("/api/billing/cancel", headers=producer.auth).json()
    assert cancelled["cancel_at_period_end"] is True and cancelled["tier"] == "enterprise"
    assert cancelled["pending_tier"] == "free" and cancelled["next_billing_date"] is None

    resumed = api.post("/api/billing/resume", headers=producer.auth).json()
    assert resumed["cancel_at_period_end"] is False and resumed["pending_tier"] is None
    assert resumed["next_billing_date"] is not None

    api.post("/api/billing/cancel", headers=producer.auth)
    billing_stack.emulator.advance_to(
        stripe_subscription(billing_stack, producer).current_period_end
    )
    billing_stack.wait()
    ended = subscription(api, producer)
    assert (ended["tier"], ended["status"]) == ("free", "canceled")
    assert ended["usage"]["storage_limit_mb"] == 100 and ended["usage"]["collections_limit"] == 5
    assert gateway_tier(billing_stack, producer) == "free"
    late = api.post("/api/billing/resume", headers=producer.auth)
    assert late.status_code == 409


def test_failed_renewal_keeps_features_while_past_due_and_recovers(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    customer = customer_id(billing_stack, producer)
    billing_stack.emulator.fail_payments(customer)
    billing_stack.emulator.advance_to(
        stripe_subscription(billing_stack, producer).current_period_end
    )
    billing_stack.wait()

    late = subscription(api, producer)
    assert (late["tier"], late["status"]) == ("enterprise", "past_due")
    billing_stack.mailbox.wait_for(producer.email, "payment failed")

    billing_stack.emulator.restore_payments(customer)
    billing_stack.emulator.advance(3 * DAY)
    billing_stack.wait()
    assert subscription(api, producer)["status"] == "active"


def test_renewal_failing_every_retry_cancels_and_falls_to_free(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    billing_stack.emulator.fail_payments(customer_id(billing_stack, producer))
    billing_stack.emulator.advance_to(
        stripe_subscription(billing_stack, producer).current_period_end
    )
    billing_stack.emulator.advance(16 * DAY)  # Stripe's retries (3, 5, 7 days) all fail
    billing_stack.wait()

    ended = subscription(api, producer)
    assert (ended["tier"], ended["status"]) == ("free", "canceled")
    assert ended["usage"]["analyses_limit"] == 10
    assert gateway_tier(billing_stack, producer) == "free"


def test_billing_portal_opens_for_the_callers_customer(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    answer = api.post("/api/billing/portal", headers=producer.auth)
    assert answer.status_code == 200, answer.text
    assert httpx.get(answer.json()["url"]).status_code == 200
    again = api.post("/api/billing/portal", headers=producer.auth)
    assert again.status_code == 200
    assert len(billing_stack.stripe.customers.list(params={"email": producer.email}).data) == 1
