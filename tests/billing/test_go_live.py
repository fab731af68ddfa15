"""Billing before real money (issue 22): trials without a card, one trial per e-mail, 3-D Secure
upgrades through pending updates, idempotency keys on every change, a deleted customer never
reused; and, on a second platform with the optional settings on (past-due cap of 4 days, trials
that pause, Stripe Tax, disputes that suspend), each of those paths, all driven through the real
SDK against the emulator and its clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr

from sp404.billing.context import Billing
from sp404.billing.past_due import enforce_past_due_cap
from sp404.billing.stripe_api import connect_stripe
from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.stack import PASSWORD, Mailbox, Producer, link_token, register, signed_up
from tests.stripe_emulator.plans import SECRET_KEY

from .conftest import (
    DAY,
    BillingStack,
    customer_id,
    gateway_tier,
    pay,
    running_billing_stack,
    stripe_subscription,
    subscribed,
    subscription,
)

OPERATOR = "billing-ops@example.com"


def signed_up_as(api: httpx.Client, mailbox: Mailbox, address: str) -> Producer:
    created = register(api, address)
    assert created.status_code == 201, created.text
    token = link_token(mailbox.wait_for(address, "confirm"))
    assert api.post("/api/auth/verify", json={"token": token}).status_code == 200
    body = api.post("/api/auth/login", json={"email": address, "password": PASSWORD}).json()
    return Producer(address, PASSWORD, body["user"]["id"], body["token"], body["refresh_token"])


def paid_up(stack: BillingStack, api: httpx.Client, who: Producer, plan: str = "pro") -> None:
    """Subscribed and past any trial, with the first real invoice paid."""
    subscribed(stack, api, who, plan)
    if subscription(api, who)["status"] == "trialing":
        stack.emulator.advance_to(stripe_subscription(stack, who).trial_end)
        stack.wait()
    assert subscription(api, who)["status"] == "active"


# Trials ------------------------------------------------------------------------------------------


def test_a_trial_without_a_card_warns_then_is_cancelled_and_falls_to_free(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    answer = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=producer.auth)
    assert answer.json()["intent_type"] == "setup"  # the card form is never filled in
    billing_stack.wait()
    assert (subscription(api, producer)["tier"], gateway_tier(billing_stack, producer)) == (
        "pro", "pro",
    )  # fmt: skip
    remote = stripe_subscription(billing_stack, producer)
    assert remote.trial_settings.end_behavior.missing_payment_method == "cancel"

    billing_stack.emulator.advance(11 * DAY)
    billing_stack.wait()
    warning = billing_stack.mailbox.wait_for(producer.email, "trial ends soon")
    assert "no card on file" in warning.get_content()

    billing_stack.emulator.advance(3 * DAY)
    billing_stack.wait()
    ended = subscription(api, producer)
    assert (ended["tier"], ended["status"]) == ("free", "canceled")
    assert gateway_tier(billing_stack, producer) == "free"


def test_a_new_account_with_the_same_email_identity_gets_no_second_trial(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer)
    local, domain = producer.email.split("@")
    again = signed_up_as(api, billing_stack.mailbox, f"{local.upper()}+second@{domain}")
    assert subscription(api, again)["trial_available"] is False

    answer = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=again.auth)

    assert answer.status_code == 200, answer.text
    assert answer.json()["intent_type"] == "payment" and answer.json()["trial_end"] is None
    assert subscription(api, again)["trial_available"] is False


# 3-D Secure upgrades --------------------------------------------------------------------------


def test_an_upgrade_needing_3d_secure_waits_for_stripe_then_applies(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    paid_up(billing_stack, api, producer)
    sub = stripe_subscription(billing_stack, producer)
    # The producer's bank now asks for 3-D Secure on every charge (Stripe's 4000 0027 6000 3184).
    billing_stack.stripe.subscriptions.update(
        sub.id, params={"default_payment_method": "pm_card_authenticationRequired"}
    )
    billing_stack.wait()

    answer = api.post("/api/billing/change", json={"plan_id": "enterprise"}, headers=producer.auth)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["tier"], body["pending_tier"]) == ("pro", "enterprise")
    assert body["payment_client_secret"].startswith("pi_")
    billing_stack.wait()
    assert gateway_tier(billing_stack, producer) == "pro"
    assert subscription(api, producer)["tier"] == "pro"
    remote = stripe_subscription(billing_stack, producer)
    assert remote.pending_update is not None
    assert remote["items"].data[0].price.id == billing_stack.prices["pro"]

    # The browser: Stripe.js shows the bank's challenge and the producer passes it.
    pay(billing_stack, {"client_secret": body["payment_client_secret"]})

    after = subscription(api, producer)
    assert (after["tier"], after["pending_tier"]) == ("enterprise", None)
    assert gateway_tier(billing_stack, producer) == "enterprise"
    assert "payment_client_secret" not in after


def test_an_upgrade_nobody_confirms_expires_and_keeps_the_plan(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    paid_up(billing_stack, api, producer)
    billing_stack.emulator.fail_payments(customer_id(billing_stack, producer))
    answer = api.post("/api/billing/change", json={"plan_id": "enterprise"}, headers=producer.auth)
    assert answer.json()["pending_tier"] == "enterprise" and answer.json()["tier"] == "pro"

    billing_stack.emulator.advance(DAY)
    billing_stack.wait()

    after = subscription(api, producer)
    assert (after["tier"], after["status"], after["pending_tier"]) == ("pro", "active", None)


# Idempotency and customers -----------------------------------------------------------------------


def test_every_change_the_platform_asks_of_stripe_carries_its_idempotency_key(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    start = len(billing_stack.emulator.state.requests)
    post = lambda path, **kw: api.post(path, headers=producer.auth, **kw)  # noqa: E731
    assert post("/api/billing/subscribe", json={"plan_id": "enterprise"}).status_code == 200
    # Another plan abandons the unpaid subscription (a cancel), then every kind of change.
    pay(billing_stack, post("/api/billing/subscribe", json={"plan_id": "pro"}).json())
    for step, body in [
        ("/api/billing/change", {"plan_id": "enterprise"}),  # upgrade
        ("/api/billing/change", {"plan_id": "pro"}),  # downgrade: a schedule
        ("/api/billing/change", {"plan_id": "enterprise"}),  # keep: the schedule released
        ("/api/billing/cancel", None),
        ("/api/billing/resume", None),
        ("/api/billing/portal", None),
    ]:
        assert post(step, json=body).status_code == 200, step
    deleted = api.request(
        "DELETE", "/api/account", headers=producer.auth, json={"password": producer.password}
    )
    assert deleted.status_code == 200, deleted.text

    changes = [
        (method, path, key)
        for method, path, key, _ in billing_stack.emulator.state.requests[start:]
        if method in ("POST", "DELETE")
    ]
    # "/v1/subscription_schedules/sub_sched_1/release" -> "subscription_schedules/release"
    kinds = {(m, "/".join(p.split("/")[2::2])) for m, p, _ in changes}
    assert kinds >= {
        ("POST", "customers"), ("POST", "subscriptions"), ("DELETE", "subscriptions"),
        ("POST", "billing_portal"), ("POST", "subscription_schedules"),
        ("POST", "subscription_schedules/release"),
    }, kinds  # fmt: skip
    unkeyed = [(m, p) for m, p, key in changes if not (key or "").startswith("sp404:")]
    assert unkeyed == []


def test_a_customer_deleted_at_stripe_is_never_reused(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    old = customer_id(billing_stack, producer)
    billing_stack.endpoint.enabled_events = ()  # the customer.deleted event has not arrived
    try:
        billing_stack.stripe.customers.delete(old)
        answer = api.post(
            "/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=producer.auth
        )
        assert answer.status_code == 200, answer.text
    finally:
        billing_stack.endpoint.enabled_events = ("*",)
    new = customer_id(billing_stack, producer)
    assert new != old
    assert (
        billing_stack.stripe.subscriptions.retrieve(
            answer.json()["stripe_subscription_id"]
        ).customer
        == new
    )
    pay(billing_stack, answer.json())
    assert subscription(api, producer)["tier"] == "enterprise"


def test_tax_details_answer_404_while_stripe_tax_is_off(
    api: httpx.Client, producer: Producer
) -> None:
    answer = api.post("/api/billing/tax-details", json={"country": "DE"}, headers=producer.auth)
    assert answer.status_code == 404


# The optional settings on -------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_stack(migrated_db: Settings, mailbox: Mailbox) -> Iterator[BillingStack]:
    with running_billing_stack(
        migrated_db,
        mailbox,
        SP404_BILLING_PAST_DUE_DAYS="4",
        SP404_STRIPE_TRIAL_END_BEHAVIOR="pause",
        SP404_STRIPE_AUTOMATIC_TAX="true",
        SP404_BILLING_OPERATOR_EMAIL=OPERATOR,
        SP404_BILLING_DISPUTE_SUSPENDS="true",
    ) as stack:
        yield stack


@pytest.fixture
def strict_api(strict_stack: BillingStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=strict_stack.url, auth=as_gateway(), timeout=30) as client:
        yield client


@pytest.fixture
def strict_producer(strict_api: httpx.Client, strict_stack: BillingStack) -> Producer:
    """A producer on the strict platform who gave the billing address Stripe Tax needs."""
    who = signed_up(strict_api, strict_stack.mailbox)
    where = {"country": "US", "postal_code": "94110"}
    assert strict_api.post("/api/billing/tax-details", json=where, headers=who.auth).is_success
    return who


def test_past_due_keeps_the_plan_only_for_the_configured_days(
    strict_stack: BillingStack, strict_api: httpx.Client, strict_producer: Producer
) -> None:
    stack, api, who = strict_stack, strict_api, strict_producer
    subscribed(stack, api, who, "enterprise")
    stack.emulator.fail_payments(customer_id(stack, who))
    stack.emulator.advance_to(stripe_subscription(stack, who).current_period_end)
    stack.wait()
    late = subscription(api, who)
    assert (late["tier"], late["status"]) == ("enterprise", "past_due") and late["past_due_since"]

    stack.emulator.advance(3 * DAY)  # the first retry fails: 3 days past due, under the cap
    stack.wait()
    assert subscription(api, who)["tier"] == "enterprise"

    stack.emulator.advance(5 * DAY)  # the second retry fails 8 days in: past the 4-day cap
    stack.wait()
    capped = subscription(api, who)
    assert (capped["tier"], capped["status"]) == ("free", "past_due")
    assert gateway_tier(stack, who) == "free"

    stack.emulator.restore_payments(customer_id(stack, who))
    invoice = stripe_subscription(stack, who).latest_invoice
    stack.stripe.invoices.pay(invoice)
    stack.wait()
    back = subscription(api, who)
    assert (back["tier"], back["status"], back["past_due_since"]) == ("enterprise", "active", None)


def test_a_trial_without_a_card_pauses_when_so_configured(
    strict_stack: BillingStack, strict_api: httpx.Client, strict_producer: Producer
) -> None:
    stack, api, who = strict_stack, strict_api, strict_producer
    api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=who.auth)
    stack.wait()
    stack.emulator.advance(14 * DAY)
    stack.wait()
    paused = subscription(api, who)
    assert (paused["tier"], paused["status"]) == ("free", "paused")
    # Subscribing again replaces the paused subscription (no second trial).
    again = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=who.auth)
    assert again.json()["intent_type"] == "payment"
    pay(stack, again.json())
    assert subscription(api, who)["tier"] == "pro"


def test_stripe_tax_takes_the_billing_address_and_tax_id_onto_invoices(
    strict_stack: BillingStack, strict_api: httpx.Client
) -> None:
    stack, api = strict_stack, strict_api
    who = signed_up(api, stack.mailbox)
    assert api.get("/api/billing/plans").json()["tax_collection"] is True
    early = api.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=who.auth)
    assert early.status_code == 409 and early.json()["error"]["code"] == "tax_location_required"
    details = api.post(
        "/api/billing/tax-details",
        json={"country": "DE", "postal_code": "10115", "city": "Berlin",
              "tax_id_type": "eu_vat", "tax_id_value": "DE123456789"},
        headers=who.auth,
    )  # fmt: skip
    assert details.status_code == 200, details.text
    assert details.json() == {"country": "DE", "tax_ids": ["DE123456789"], "automatic_tax": True}
    subscribed(stack, api, who, "enterprise")
    remote = stripe_subscription(stack, who)
    assert remote.automatic_tax.enabled is True
    invoice = stack.stripe.invoices.retrieve(remote.latest_invoice)
    assert invoice.automatic_tax.status == "complete"
    assert [t.value for t in invoice.customer_tax_ids] == ["DE123456789"]
    assert invoice.customer_address.country == "DE"


def test_a_dispute_flags_the_account_mails_the_operator_and_suspends_paid_features(
    strict_stack: BillingStack, strict_api: httpx.Client, strict_producer: Producer
) -> None:
    stack, api, who = strict_stack, strict_api, strict_producer
    answer = api.post("/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=who.auth)
    pay(stack, answer.json(), card="pm_card_createDispute")

    after = subscription(api, who)
    assert after["disputed"] is True and after["status"] == "active"
    assert after["tier"] == "free" and gateway_tier(stack, who) == "free"
    notice = stack.mailbox.wait_for(OPERATOR, "Dispute opened")
    assert who.email in notice.get_content()

    dispute = stack.emulator.events("charge.dispute.created")[-1]["data"]["object"]
    stack.stripe.disputes.close(dispute["id"])  # accepted: lost
    stack.wait()
    closed = subscription(api, who)
    assert (closed["disputed"], closed["tier"]) == (False, "enterprise")
    assert gateway_tier(stack, who) == "enterprise"
    assert (
        "went back to the cardholder"
        in stack.mailbox.wait_for(OPERATOR, "Dispute lost").get_content()
    )


def test_refunds_and_credit_notes_show_on_the_invoice(
    strict_stack: BillingStack, strict_api: httpx.Client, strict_producer: Producer
) -> None:
    stack, api, who = strict_stack, strict_api, strict_producer
    subscribed(stack, api, who, "enterprise")
    invoice = stripe_subscription(stack, who).latest_invoice
    stack.stripe.credit_notes.create(
        params={"invoice": invoice, "amount": 2000, "refund_amount": 1500}
    )
    stack.wait()
    listed: Any = api.get("/api/billing/invoices", headers=who.auth).json()["invoices"]
    mine = next(i for i in listed if i["stripe_invoice_id"] == invoice)
    assert (mine["amount_paid"], mine["amount_credited"], mine["amount_refunded"]) == (
        9900, 2000, 1500,
    )  # fmt: skip


async def test_the_sweep_drops_an_account_left_past_due_with_no_event_after_the_cap(
    strict_stack: BillingStack,
    strict_api: httpx.Client,
    strict_producer: Producer,
    pool: asyncpg.Pool,
) -> None:
    stack, api, who = strict_stack, strict_api, strict_producer
    subscribed(stack, api, who, "enterprise")
    stack.emulator.fail_payments(customer_id(stack, who))
    stack.emulator.advance_to(stripe_subscription(stack, who).current_period_end)
    stack.wait()
    assert subscription(api, who)["tier"] == "enterprise"
    settings = stack.settings.model_copy(
        update={
            "stripe_secret_key": SecretStr(SECRET_KEY),
            "stripe_api_base": stack.emulator.url,
            "stripe_price_pro": stack.prices["pro"],
            "stripe_price_enterprise": stack.prices["enterprise"],
            "billing_past_due_days": 4,
        }
    )
    connection = connect_stripe(settings)
    client = aioredis.Redis.from_url(settings.redis_url)
    ctx = Billing(pool, client, settings, connection)
    try:
        # Day 2 on Stripe's clock: within the cap, nobody moves.
        now = datetime.fromtimestamp(stack.emulator.now(), UTC)
        assert who.user_id not in map(
            str, await enforce_past_due_cap(ctx, now=now + timedelta(days=2))
        )
        assert subscription(api, who)["tier"] == "enterprise"
        # Day 5, before the next retry's event: the sweep applies the cap.
        moved = await enforce_past_due_cap(ctx, now=now + timedelta(days=5))
    finally:
        await client.aclose()
        if connection is not None:
            await connection.aclose()
    assert who.user_id in map(str, moved)
    capped = subscription(api, who)
    assert (capped["tier"], capped["status"]) == ("free", "past_due")
    assert gateway_tier(stack, who) == "free"
