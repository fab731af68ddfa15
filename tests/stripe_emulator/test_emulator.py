"""The emulator behaves like Stripe for the subscription lifecycle, driven by the real SDK."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
import stripe

from . import EmulatorServer, sign_payload
from .conftest import Plans, Received, make_plans
from .forms import parse_form

DAY = 86_400


def new_customer(api: Any, card: str | None = "pm_card_visa") -> Any:
    params: dict[str, Any] = {"email": "producer@example.com", "name": "Beat Maker"}
    if card:
        params |= {"payment_method": card, "invoice_settings": {"default_payment_method": card}}
    return api.customers.create(params=params)


def subscribe(api: Any, customer: Any, price: Any, **extra: Any) -> Any:
    params = {"customer": customer.id, "items": [{"price": price.id}], **extra}
    return api.subscriptions.create(params=params)


def types(emulator: EmulatorServer) -> list[str]:
    return [event["type"] for event in emulator.events()]


# Form decoding -------------------------------------------------------------------------------


def test_bracketed_form_fields_decode_into_nested_lists_and_hashes() -> None:
    parsed = parse_form(
        "items[0][price]=price_a&items[1][price]=price_b&items[1][quantity]=2"
        "&expand[]=latest_invoice&expand[]=pending_setup_intent&metadata[plan]=pro"
    )
    assert parsed == {
        "items": [{"price": "price_a"}, {"price": "price_b", "quantity": "2"}],
        "expand": ["latest_invoice", "pending_setup_intent"],
        "metadata": {"plan": "pro"},
    }


# Subscribing ---------------------------------------------------------------------------------


def test_default_incomplete_subscription_turns_active_once_its_payment_is_confirmed(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    customer = new_customer(api, card=None)
    sub = subscribe(
        api,
        customer,
        plans.pro,
        payment_behavior="default_incomplete",
        payment_settings={"save_default_payment_method": "on_subscription"},
        expand=["latest_invoice.payment_intent"],
    )
    assert sub.id.startswith("sub_") and sub.status == "incomplete" and sub.livemode is False
    invoice = sub.latest_invoice
    assert invoice.id.startswith("in_") and invoice.status == "open"
    assert invoice.amount_due == 1500 and invoice.currency == "usd"
    assert invoice.hosted_invoice_url.startswith(emulator.url) and invoice.number
    intent = invoice.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert invoice.confirmation_secret.client_secret == intent.client_secret

    confirmed = api.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})

    assert confirmed.status == "succeeded"
    sub = api.subscriptions.retrieve(sub.id)
    assert sub.status == "active" and sub.default_payment_method.startswith("pm_")
    paid = api.invoices.retrieve(invoice.id)
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 1500, 0)
    update = emulator.events("customer.subscription.updated")[-1]
    assert update["data"]["previous_attributes"]["status"] == "incomplete"
    assert {"customer.subscription.created", "invoice.finalized", "invoice.paid"} <= set(
        types(emulator)
    )


def test_subscription_periods_are_on_the_subscription_and_on_each_item(
    api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    item = sub["items"].data[0]
    assert sub.status == "active"
    assert item.id.startswith("si_") and item.price.id == plans.basic.id
    assert (item.current_period_start, item.current_period_end) == (
        sub.current_period_start,
        sub.current_period_end,
    )
    assert 28 * DAY <= sub.current_period_end - sub.current_period_start <= 31 * DAY


def test_declined_card_leaves_a_new_subscription_incomplete_until_it_expires(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api, "pm_card_chargeDeclined"), plans.basic)
    assert sub.status == "incomplete"
    assert "invoice.payment_failed" in types(emulator)

    emulator.advance(23 * 3600)

    sub = api.subscriptions.retrieve(sub.id)
    assert sub.status == "incomplete_expired"
    assert api.invoices.retrieve(sub.latest_invoice).status == "void"


def test_error_if_incomplete_refuses_a_declined_card_with_a_card_error(
    api: Any, plans: Plans
) -> None:
    customer = new_customer(api, "pm_card_chargeDeclined")
    with pytest.raises(stripe.CardError) as caught:
        subscribe(api, customer, plans.basic, payment_behavior="error_if_incomplete")
    assert caught.value.http_status == 402 and caught.value.code == "card_declined"
    listed = api.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert listed.data == []


def test_card_needing_authentication_waits_for_the_customer_then_activates(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(
        api,
        new_customer(api, "pm_card_authenticationRequired"),
        plans.basic,
        expand=["latest_invoice.payment_intent"],
    )
    assert sub.status == "incomplete"
    assert sub.latest_invoice.payment_intent.status == "requires_action"
    assert "invoice.payment_action_required" in types(emulator)

    emulator.confirm_payment(sub.latest_invoice.payment_intent.id)

    assert api.subscriptions.retrieve(sub.id).status == "active"


# Trials --------------------------------------------------------------------------------------


def test_trial_warns_three_days_ahead_then_bills_and_turns_active(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic, trial_period_days=14)
    assert sub.status == "trialing" and sub.trial_end == sub.current_period_end
    first = api.invoices.retrieve(sub.latest_invoice)
    assert (first.amount_due, first.status) == (0, "paid")

    emulator.advance(11 * DAY - 1)
    assert "customer.subscription.trial_will_end" not in types(emulator)
    emulator.advance(1)
    assert "customer.subscription.trial_will_end" in types(emulator)
    assert api.subscriptions.retrieve(sub.id).status == "trialing"

    emulator.advance(3 * DAY)

    sub = api.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert sub.status == "active"
    assert sub.latest_invoice.billing_reason == "subscription_cycle"
    assert (sub.latest_invoice.amount_paid, sub.latest_invoice.status) == (500, "paid")
    assert sub.current_period_start == sub.trial_end


def test_trial_without_a_card_offers_a_setup_intent_that_sets_the_default(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(
        api,
        new_customer(api, card=None),
        plans.basic,
        trial_period_days=7,
        payment_behavior="default_incomplete",
        payment_settings={"save_default_payment_method": "on_subscription"},
        expand=["pending_setup_intent"],
    )
    setup = sub.pending_setup_intent
    assert setup.id.startswith("seti_") and setup.client_secret.startswith(setup.id)

    api.setup_intents.confirm(setup.id, params={"payment_method": "pm_card_visa"})
    emulator.advance(7 * DAY)

    sub = api.subscriptions.retrieve(sub.id)
    assert sub.pending_setup_intent is None and sub.default_payment_method
    assert sub.status == "active"


# Changing plans ------------------------------------------------------------------------------


def test_upgrade_with_always_invoice_bills_the_prorated_difference_at_once(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    emulator.advance(10 * DAY)
    start, end = sub.current_period_start, sub.current_period_end
    unused = (end - emulator.now()) / (end - start)

    sub = api.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": sub["items"].data[0].id, "price": plans.pro.id}],
            "proration_behavior": "always_invoice",
            "expand": ["latest_invoice"],
        },
    )

    invoice = sub.latest_invoice
    assert sub["items"].data[0].price.id == plans.pro.id
    assert invoice.billing_reason == "subscription_update" and invoice.status == "paid"
    assert invoice.amount_paid == round(1500 * unused) - round(500 * unused)
    assert [line.amount < 0 for line in invoice.lines.data] == [True, False]
    assert all(line.proration for line in invoice.lines.data)
    assert sub.current_period_end == end  # same interval: the cycle is kept


def test_create_prorations_adds_the_difference_to_the_renewal_invoice(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    emulator.advance(10 * DAY)
    api.subscriptions.update(
        sub.id, params={"items": [{"id": sub["items"].data[0].id, "price": plans.pro.id}]}
    )
    preview = api.invoices.create_preview(params={"subscription": sub.id})

    emulator.advance_to(sub.current_period_end)

    renewal = api.invoices.retrieve(api.subscriptions.retrieve(sub.id).latest_invoice)
    assert len(renewal.lines.data) == 3 and renewal.amount_paid > 1500
    assert renewal.amount_paid == preview.amount_due


def test_downgrade_through_a_schedule_takes_effect_at_period_end(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.pro)
    schedule = api.subscription_schedules.create(params={"from_subscription": sub.id})
    assert schedule.id.startswith("sub_sched_") and schedule.status == "active"
    current = schedule.phases[0]
    api.subscription_schedules.update(
        schedule.id,
        params={
            "phases": [
                {
                    "items": [{"price": plans.pro.id, "quantity": 1}],
                    "start_date": current.start_date,
                    "end_date": current.end_date,
                },
                {"items": [{"price": plans.basic.id, "quantity": 1}], "iterations": 1},
            ],
            "end_behavior": "release",
        },
    )
    assert api.subscriptions.retrieve(sub.id)["items"].data[0].price.id == plans.pro.id

    emulator.advance_to(current.end_date)

    sub = api.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert sub["items"].data[0].price.id == plans.basic.id
    assert sub.latest_invoice.amount_paid == 500
    assert [line.proration for line in sub.latest_invoice.lines.data] == [False]

    emulator.advance_to(sub.current_period_end)

    released = api.subscription_schedules.retrieve(schedule.id)
    assert released.status == "released" and released.released_subscription == sub.id
    assert api.subscriptions.retrieve(sub.id).schedule is None


def test_scheduled_subscription_refuses_cancel_at_period_end_until_released(
    api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.pro)
    schedule = api.subscription_schedules.create(params={"from_subscription": sub.id})
    with pytest.raises(stripe.InvalidRequestError, match="subscription schedule"):
        api.subscriptions.update(sub.id, params={"cancel_at_period_end": True})

    api.subscription_schedules.release(schedule.id)

    updated = api.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert updated.cancel_at_period_end is True


def test_interval_change_restarts_the_period_and_bills_the_new_price(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.pro)
    emulator.advance(15 * DAY)
    sub = api.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": sub["items"].data[0].id, "price": plans.yearly.id}],
            "expand": ["latest_invoice"],
        },
    )
    assert sub.current_period_start == emulator.now()
    assert sub.current_period_end - sub.current_period_start >= 365 * DAY
    assert 15000 - 1500 < sub.latest_invoice.amount_paid < 15000


# Cancelling ----------------------------------------------------------------------------------


def test_cancel_at_period_end_can_be_resumed_or_ends_the_subscription(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    pending = api.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert pending.cancel_at == sub.current_period_end and pending.status == "active"
    previous = emulator.events("customer.subscription.updated")[-1]["data"]["previous_attributes"]
    assert previous["cancel_at_period_end"] is False

    resumed = api.subscriptions.update(sub.id, params={"cancel_at_period_end": False})
    assert resumed.cancel_at is None and resumed.canceled_at is None
    api.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    emulator.advance_to(sub.current_period_end)

    ended = api.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled" and ended.ended_at == sub.current_period_end
    assert types(emulator)[-1] == "customer.subscription.deleted"
    invoices = api.invoices.list(params={"subscription": sub.id})
    assert len(invoices.data) == 1  # no renewal was billed


def test_immediate_cancel_ends_the_subscription_and_hides_it_from_default_lists(
    api: Any, plans: Plans
) -> None:
    customer = new_customer(api)
    sub = subscribe(api, customer, plans.basic)
    canceled = api.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled"
    assert api.subscriptions.list(params={"customer": customer.id}).data == []
    everything = api.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert [s.id for s in everything.data] == [sub.id]


def test_deleting_a_customer_cancels_its_subscriptions(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    customer = new_customer(api)
    sub = subscribe(api, customer, plans.basic)
    deleted = api.customers.delete(customer.id)
    assert deleted.deleted is True
    assert api.customers.retrieve(customer.id).deleted is True
    assert api.subscriptions.retrieve(sub.id).status == "canceled"
    assert types(emulator)[-2:] == ["customer.subscription.deleted", "customer.deleted"]


# Failing payments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after_final_failure", "final_status"), [("cancel", "canceled"), ("unpaid", "unpaid")]
)
def test_failing_renewals_go_past_due_then_end_after_the_retries(
    client_factory: Any, after_final_failure: str, final_status: str
) -> None:
    emulator, client = client_factory(retry_days=(3, 5), after_final_failure=after_final_failure)
    api: Any = client.v1
    plans = make_plans(api)
    customer = new_customer(api)
    sub = subscribe(api, customer, plans.basic)
    emulator.fail_payments(customer.id)

    emulator.advance_to(sub.current_period_end)

    sub = api.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert sub.status == "past_due"
    assert sub.latest_invoice.next_payment_attempt == sub.current_period_start + 3 * DAY
    emulator.advance(8 * DAY)
    assert api.subscriptions.retrieve(sub.id).status == final_status
    assert len(emulator.events("invoice.payment_failed")) == 3


def test_a_retry_that_succeeds_brings_a_past_due_subscription_back_to_active(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    customer = new_customer(api)
    sub = subscribe(api, customer, plans.basic)
    emulator.fail_payments(customer.id, "insufficient_funds")
    emulator.advance_to(sub.current_period_end)
    assert api.subscriptions.retrieve(sub.id).status == "past_due"

    emulator.restore_payments(customer.id)
    emulator.advance(3 * DAY)

    assert api.subscriptions.retrieve(sub.id).status == "active"


def test_paying_an_open_invoice_with_a_new_card_recovers_the_subscription(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api, "pm_card_chargeCustomerFail"), plans.basic)
    assert sub.status == "incomplete"
    with pytest.raises(stripe.CardError):
        api.invoices.pay(sub.latest_invoice)

    paid = api.invoices.pay(sub.latest_invoice, params={"payment_method": "pm_card_visa"})

    assert paid.status == "paid"
    assert api.subscriptions.retrieve(sub.id).status == "active"


# API behaviour -------------------------------------------------------------------------------


def test_same_idempotency_key_and_parameters_replay_the_first_response(
    emulator: EmulatorServer, api: Any
) -> None:
    options: Any = {"idempotency_key": "signup-42"}
    first = api.customers.create(params={"email": "a@example.com"}, options=options)
    again = api.customers.create(params={"email": "a@example.com"}, options=options)
    assert again.id == first.id
    assert len(emulator.events("customer.created")) == 1

    with pytest.raises(stripe.IdempotencyError) as caught:
        api.customers.create(params={"email": "b@example.com"}, options=options)
    assert caught.value.http_status == 400


def test_unknown_ids_answer_404_resource_missing(api: Any) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        api.subscriptions.retrieve("sub_doesnotexist")
    assert caught.value.http_status == 404 and caught.value.code == "resource_missing"
    assert "sub_doesnotexist" in str(caught.value.user_message)


def test_unmodelled_parameters_are_refused_instead_of_ignored(api: Any, plans: Plans) -> None:
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter: coupon"):
        api.subscriptions.create(
            params={"customer": new_customer(api).id, "items": [{"price": plans.basic.id}],
                    "coupon": "HALF"}
        )  # fmt: skip


def test_live_keys_are_refused(emulator: EmulatorServer) -> None:
    live = stripe.StripeClient(
        "sk_live_nope", base_addresses={"api": emulator.url}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError):
        live.v1.customers.create()


def test_prices_are_found_by_lookup_key_and_keys_move_only_when_transferred(
    api: Any, plans: Plans
) -> None:
    found = api.prices.list(params={"lookup_keys": ["pro_monthly", "basic_monthly"]})
    assert {p.id for p in found.data} == {plans.pro.id, plans.basic.id}
    new_pro = {"product": plans.pro.product, "currency": "usd", "unit_amount": 1900,
               "recurring": {"interval": "month"}, "lookup_key": "pro_monthly"}  # fmt: skip
    with pytest.raises(stripe.InvalidRequestError, match="already uses that lookup key"):
        api.prices.create(params=new_pro)

    moved = api.prices.create(params={**new_pro, "transfer_lookup_key": True})

    found = api.prices.list(params={"lookup_keys": ["pro_monthly"]})
    assert [p.id for p in found.data] == [moved.id]


def test_lists_page_newest_first_through_auto_paging(api: Any) -> None:
    made = [api.customers.create(params={"email": f"{n}@example.com"}) for n in range(5)]
    page = api.customers.list(params={"limit": 2})
    assert page.has_more is True
    seen = [c.id for c in page.auto_paging_iter()]
    assert seen == [c.id for c in reversed(made)]


def test_portal_and_hosted_invoice_links_open(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    customer = new_customer(api)
    sub = subscribe(api, customer, plans.basic, expand=["latest_invoice"])
    session = api.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "https://app.example/billing"}
    )
    for url in (session.url, sub.latest_invoice.hosted_invoice_url, sub.latest_invoice.invoice_pdf):
        with urllib.request.urlopen(url) as response:
            assert response.status == 200


def test_test_clocks_advance_the_emulator_like_stripe_test_mode(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    clock = api.test_helpers.test_clocks.create(params={"frozen_time": emulator.now()})
    sub = subscribe(api, new_customer(api), plans.basic)

    advanced = api.test_helpers.test_clocks.advance(
        clock.id, params={"frozen_time": sub.current_period_end + 60}
    )

    assert advanced.status == "ready" and advanced.frozen_time == sub.current_period_end + 60
    invoices = api.invoices.list(params={"subscription": sub.id})
    assert [i.billing_reason for i in invoices.data] == [
        "subscription_cycle",
        "subscription_create",
    ]


# Webhooks ------------------------------------------------------------------------------------


def test_every_delivered_webhook_verifies_with_the_sdk(
    emulator: EmulatorServer,
    api: Any,
    plans: Plans,
    receiver: tuple[str, Received],
) -> None:
    url, received = receiver
    endpoint = emulator.add_webhook_endpoint(url)
    earlier = len(emulator.events())  # the catalog was built before the endpoint existed
    subscribe(api, new_customer(api), plans.basic)

    deliveries = emulator.wait_for_webhooks()

    assert deliveries and all(d.status == 200 for d in deliveries)
    verified = [
        stripe.Webhook.construct_event(body, header, endpoint.secret)
        for header, body in received.requests
    ]
    assert [e.id for e in verified] == [e["id"] for e in emulator.events()[earlier:]]
    assert verified[-1].type == "customer.subscription.created"


def test_tampered_or_stale_webhooks_fail_verification(
    emulator: EmulatorServer,
    api: Any,
    receiver: tuple[str, Received],
) -> None:
    url, received = receiver
    endpoint = emulator.add_webhook_endpoint(url, events=("customer.created",))
    api.customers.create(params={"email": "x@example.com"})
    emulator.wait_for_webhooks()
    header, body = received.requests[0]
    tampered = body.replace(b"x@example.com", b"y@example.com")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, endpoint.secret)

    event = emulator.events("customer.created")[0]
    emulator.deliver(event, endpoint, timestamp=int(time.time()) - 3600)
    stale_header, stale_body = received.requests[-1]
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(stale_body, stale_header, endpoint.secret)
    assert json.loads(stale_body)["id"] == event["id"]  # a duplicate of the same event


def test_sign_payload_matches_the_sdk_signature_helper() -> None:
    payload = '{"id": "evt_1", "object": "event"}'
    ours = sign_payload(payload, "whsec_test", 1_700_000_000)
    theirs = stripe.WebhookSignature.generate_signature_header(payload, "whsec_test", 1_700_000_000)
    assert ours == theirs


def test_signed_events_can_be_handed_to_an_in_process_handler(
    emulator: EmulatorServer, api: Any
) -> None:
    api.customers.create(params={"email": "x@example.com"})
    event = emulator.events("customer.created")[0]
    body, header = emulator.signed(event, "whsec_local")
    parsed = stripe.Webhook.construct_event(body, header, "whsec_local")
    assert parsed.data.object.email == "x@example.com"


async def test_the_async_sdk_client_talks_to_the_emulator_too(
    emulator: EmulatorServer, plans: Plans
) -> None:
    http = stripe.RequestsClient(async_fallback_client=stripe.AIOHTTPClient())
    api: Any = emulator.client(http_client=http).v1
    customer = await api.customers.create_async(params={"email": "async@example.com"})
    found = await api.prices.list_async(params={"lookup_keys": ["basic_monthly"]})
    await http.close_async()  # type: ignore[no-untyped-call]
    assert customer.id.startswith("cus_") and [p.id for p in found.data] == [plans.basic.id]
