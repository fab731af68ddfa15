"""What billing needs before real money: pending updates and 3-D Secure, trials without a card,
tax, disputes, refunds and credit notes, the specification's required fields, one API version."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from . import API_VERSION, EmulatorServer
from .conftest import Plans
from .test_emulator import new_customer, subscribe, types

DAY = 86_400

# Fields the SDK declares that the specification does not require on these objects (preview or
# include-only fields, and `deleted`, which only a deleted object carries).
NOT_REQUIRED = {
    "*": {"deleted", "customer_account", "managed_payments", "presentment_details"},
    "customer": {"cash_balance", "invoice_credit_balance", "sources", "subscriptions", "tax",
                 "tax_ids", "default_source"},
    "payment_intent": {"hooks", "payment_details", "payment_record", "amount_details"},
    "charge": {"level3", "radar_options"},
    "invoice": {"payments", "confirmation_secret"},
}  # fmt: skip
SDK_CLASSES = {
    "subscription": stripe.Subscription,
    "subscription_item": stripe.SubscriptionItem,
    "invoice": stripe.Invoice,
    "line_item": stripe.InvoiceLineItem,
    "customer": stripe.Customer,
    "payment_intent": stripe.PaymentIntent,
    "charge": stripe.Charge,
    "dispute": stripe.Dispute,
    "refund": stripe.Refund,
    "credit_note": stripe.CreditNote,
    "tax_id": stripe.TaxId,
}


def declared(kind: str) -> set[str]:
    names = {n for n in SDK_CLASSES[kind].__annotations__ if n.islower()}
    return names - NOT_REQUIRED["*"] - NOT_REQUIRED.get(kind, set())


def test_objects_carry_every_field_the_specification_requires(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    customer = new_customer(api, "pm_card_createDispute")
    api.customers.tax_ids.create(customer.id, params={"type": "eu_vat", "value": "DE123456789"})
    sub = subscribe(api, customer, plans.basic)
    invoice = api.invoices.retrieve(sub.latest_invoice)
    intent = api.payment_intents.retrieve(invoice.payment_intent)
    charge = api.charges.retrieve(intent.latest_charge)
    note = api.credit_notes.create(params={"invoice": invoice.id, "amount": 100,
                                           "refund_amount": 100})  # fmt: skip
    dispute = [e for e in emulator.events("charge.dispute.created")][-1]["data"]["object"]
    seen = {
        "subscription": sub.to_dict(),
        "subscription_item": sub["items"].data[0].to_dict(),
        "invoice": invoice.to_dict(),
        "line_item": invoice.lines.data[0].to_dict(),
        "customer": api.customers.retrieve(customer.id).to_dict(),
        "payment_intent": intent.to_dict(),
        "charge": charge.to_dict(),
        "dispute": dispute,
        "refund": api.refunds.retrieve(note.refunds[0].refund).to_dict(),
        "credit_note": note.to_dict(),
        "tax_id": api.customers.tax_ids.list(customer.id).data[0].to_dict(),
    }
    missing = {kind: sorted(declared(kind) - set(obj)) for kind, obj in seen.items()}
    assert {kind: names for kind, names in missing.items() if names} == {}
    assert sub.billing_mode.type == "classic" and sub.invoice_settings.issuer.type == "self"
    assert invoice.issuer.type == "self" and invoice.payment_settings.payment_method_types is None
    assert invoice.lines.data[0].subtotal == invoice.lines.data[0].amount


# 3-D Secure and pending updates --------------------------------------------------------------


def _paid_with_3ds(emulator: EmulatorServer, api: Any, plans: Plans) -> Any:
    sub = subscribe(api, new_customer(api, "pm_card_authenticationRequired"), plans.basic,
                    expand=["latest_invoice.payment_intent"])  # fmt: skip
    emulator.confirm_payment(sub.latest_invoice.payment_intent.id)
    emulator.advance(10 * DAY)
    return api.subscriptions.retrieve(sub.id)


def _upgrade(api: Any, sub: Any, price: Any, behavior: str) -> Any:
    return api.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": sub["items"].data[0].id, "price": price.id}],
            "proration_behavior": "always_invoice",
            "payment_behavior": behavior,
            "expand": ["latest_invoice.payment_intent"],
        },
    )


def test_pending_if_incomplete_waits_for_3ds_then_applies_the_new_price(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = _paid_with_3ds(emulator, api, plans)

    pending = _upgrade(api, sub, plans.pro, "pending_if_incomplete")

    assert pending.status == "active" and pending["items"].data[0].price.id == plans.basic.id
    assert pending.pending_update.subscription_items[0].price.id == plans.pro.id
    assert pending.pending_update.expires_at == emulator.now() + 23 * 3600
    intent = pending.latest_invoice.payment_intent
    assert intent.status == "requires_action" and intent.client_secret
    assert pending.latest_invoice.status == "open"

    emulator.confirm_payment(intent.id)

    applied = api.subscriptions.retrieve(sub.id)
    assert applied.pending_update is None and applied["items"].data[0].price.id == plans.pro.id
    assert api.invoices.retrieve(applied.latest_invoice).status == "paid"
    assert "customer.subscription.pending_update_applied" in types(emulator)


def test_a_pending_update_nobody_pays_expires_after_23_hours(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = _paid_with_3ds(emulator, api, plans)
    pending = _upgrade(api, sub, plans.pro, "pending_if_incomplete")

    emulator.advance(23 * 3600)

    after = api.subscriptions.retrieve(sub.id)
    assert after.pending_update is None and after["items"].data[0].price.id == plans.basic.id
    assert after.status == "active"
    assert api.invoices.retrieve(pending.latest_invoice.id).status == "void"
    assert "customer.subscription.pending_update_expired" in types(emulator)


def test_pending_if_incomplete_with_a_card_that_pays_applies_at_once(
    api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    upgraded = _upgrade(api, sub, plans.pro, "pending_if_incomplete")
    assert upgraded.pending_update is None and upgraded["items"].data[0].price.id == plans.pro.id
    assert upgraded.latest_invoice.status == "paid"


def test_pending_if_incomplete_refuses_parameters_a_pending_update_cannot_hold(
    api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        api.subscriptions.update(sub.id, params={
            "items": [{"id": sub["items"].data[0].id, "price": plans.pro.id}],
            "payment_behavior": "pending_if_incomplete", "metadata": {"plan": "pro"},
        })  # fmt: skip
    assert caught.value.param == "metadata"


@pytest.mark.parametrize(
    ("card", "code"),
    [("pm_card_authenticationRequired", "subscription_payment_intent_requires_action"),
     ("pm_card_chargeDeclined", "card_declined")],
)  # fmt: skip
def test_error_if_incomplete_upgrade_answers_402_and_changes_nothing(
    emulator: EmulatorServer, api: Any, plans: Plans, card: str, code: str
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    if card == "pm_card_chargeDeclined":
        emulator.fail_payments(sub.customer)
    else:
        api.subscriptions.update(sub.id, params={"default_payment_method": card})
    invoices_before = len(api.invoices.list(params={"customer": sub.customer}).data)

    with pytest.raises(stripe.CardError) as caught:
        _upgrade(api, sub, plans.pro, "error_if_incomplete")

    assert caught.value.http_status == 402 and caught.value.code == code
    after = api.subscriptions.retrieve(sub.id)
    assert after.status == "active" and after["items"].data[0].price.id == plans.basic.id
    assert len(api.invoices.list(params={"customer": sub.customer}).data) == invoices_before


# Trials without a card -------------------------------------------------------------------------


@pytest.mark.parametrize(("behavior", "status"), [("cancel", "canceled"), ("pause", "paused")])
def test_a_trial_that_ends_without_a_card_is_cancelled_or_paused_as_asked(
    emulator: EmulatorServer, api: Any, plans: Plans, behavior: str, status: str
) -> None:
    sub = subscribe(
        api, new_customer(api, card=None), plans.basic, trial_period_days=14,
        payment_behavior="default_incomplete",
        trial_settings={"end_behavior": {"missing_payment_method": behavior}},
    )  # fmt: skip
    emulator.advance(14 * DAY)
    ended = api.subscriptions.retrieve(sub.id)
    assert ended.status == status
    assert api.invoices.list(params={"subscription": sub.id}).data[0].amount_paid == 0
    assert "customer.subscription.trial_will_end" in types(emulator)


# Tax ---------------------------------------------------------------------------------------------


def test_automatic_tax_and_tax_ids_are_echoed_on_the_subscription_and_its_invoices(
    api: Any, plans: Plans
) -> None:
    customer = api.customers.create(params={
        "email": "taxed@example.com", "payment_method": "pm_card_visa",
        "invoice_settings": {"default_payment_method": "pm_card_visa"},
        "address": {"country": "DE", "postal_code": "10115", "city": "Berlin"},
        "tax_id_data": [{"type": "eu_vat", "value": "DE 123456789"}],
    })  # fmt: skip
    sub = subscribe(api, customer, plans.basic, automatic_tax={"enabled": True},
                    expand=["latest_invoice"])  # fmt: skip
    assert sub.automatic_tax.enabled is True
    invoice = sub.latest_invoice
    assert invoice.automatic_tax.enabled is True and invoice.automatic_tax.status == "complete"
    assert invoice.customer_address.country == "DE"
    assert [(t.type, t.value) for t in invoice.customer_tax_ids] == [("eu_vat", "DE123456789")]


def test_automatic_tax_needs_the_customers_location_first(api: Any, plans: Plans) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        subscribe(api, new_customer(api), plans.basic, automatic_tax={"enabled": True})
    assert caught.value.code == "customer_tax_location_invalid"


# Disputes, refunds, credit notes -----------------------------------------------------------------


def test_the_dispute_test_card_pays_then_its_charge_is_disputed(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api, "pm_card_createDispute"), plans.basic)
    assert sub.status == "active"
    dispute = emulator.events("charge.dispute.created")[-1]["data"]["object"]
    charge = api.charges.retrieve(dispute["charge"])
    assert charge.disputed is True and charge.customer == sub.customer
    assert dispute["status"] == "needs_response" and dispute["amount"] == 500
    closed = api.disputes.close(dispute["id"])
    assert closed.status == "lost" and emulator.events("charge.dispute.closed")


def test_a_credit_note_on_a_paid_invoice_refunds_the_card(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    note = api.credit_notes.create(
        params={"invoice": sub.latest_invoice, "amount": 200, "refund_amount": 200}
    )
    invoice = api.invoices.retrieve(sub.latest_invoice)
    assert note.type == "post_payment" and invoice.post_payment_credit_notes_amount == 200
    refunded = emulator.events("charge.refunded")[-1]["data"]["object"]
    assert refunded["amount_refunded"] == 200 and refunded["refunded"] is False
    assert {"credit_note.created", "invoice.updated", "refund.created"} <= set(types(emulator))
    api.refunds.create(params={"payment_intent": invoice.payment_intent})
    assert api.charges.retrieve(refunded["id"]).refunded is True


# Events Stripe sends -------------------------------------------------------------------------


def test_invoice_upcoming_comes_a_week_before_renewal_and_payments_update_invoices(
    emulator: EmulatorServer, api: Any, plans: Plans
) -> None:
    sub = subscribe(api, new_customer(api), plans.basic)
    assert "invoice.updated" in types(emulator) and "charge.succeeded" in types(emulator)
    emulator.advance_to(sub.current_period_end - 7 * DAY)
    upcoming = emulator.events("invoice.upcoming")
    assert len(upcoming) == 1 and "id" not in upcoming[0]["data"]["object"]
    assert upcoming[0]["data"]["object"]["amount_due"] == 500
    emulator.advance_to(sub.current_period_end)
    assert len(emulator.events("invoice.upcoming")) == 1


# One API version -----------------------------------------------------------------------------


def test_the_emulator_implements_the_sdks_pinned_api_version(emulator: EmulatorServer) -> None:
    client = stripe.StripeClient(
        "sk_test_x", base_addresses={"api": emulator.url}, stripe_version=API_VERSION
    )
    client.v1.customers.create(params={"email": "v@example.com"})
    assert API_VERSION == stripe.api_version
    method, path, key, version = emulator.state.requests[-1]
    assert (method, path, version) == ("POST", "/v1/customers", API_VERSION) and key
