"""The fields Stripe's API specification marks required on each object the emulator serves.

Builders fill what they model; ``complete`` adds the rest with the value Stripe sends when the
feature is not in use (``null``, an empty list, a disabled settings hash), so code and tests that
read a required field of a real Stripe object find it here too. ``tests/stripe_emulator`` checks
every kind against the SDK's declared fields.
"""

from __future__ import annotations

import copy
from typing import Any

StripeObject = dict[str, Any]

DEFAULTS: dict[str, dict[str, Any]] = {
    "subscription": {
        "application": None,
        "on_behalf_of": None,
        "transfer_data": None,
        "test_clock": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor_config": None,
        "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
        "billing_schedules": [],
        "billing_thresholds": None,
        "days_until_due": None,
        "default_source": None,
        "default_tax_rates": [],
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "next_pending_invoice_item_invoice": None,
        "pause_collection": None,
        "pending_invoice_item_interval": None,
        "status_details": None,
    },
    "subscription_item": {
        "billed_until": None,
        "billing_thresholds": None,
        "current_trial": None,
        "plan": None,
    },
    "invoice": {
        "application": None,
        "on_behalf_of": None,
        "test_clock": None,
        "account_tax_ids": None,
        "amount_paid_off_stripe": 0,
        "automatically_finalizes_at": None,
        "custom_fields": None,
        "customer_address": None,
        "customer_phone": None,
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_source": None,
        "default_tax_rates": [],
        "footer": None,
        "from_invoice": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "statement_descriptor": None,
        "status_details": None,
        "threshold_reason": None,
        "total_discount_amounts": [],
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
    },
    "line_item": {
        "discount_amounts": [],
        "discounts": [],
        "invoice": None,
        "pretax_credit_amounts": [],
        "quantity_decimal": None,
        "taxes": [],
    },
    "customer": {
        "test_clock": None,
        "business_name": None,
        "discount": None,
        "individual_name": None,
        "next_invoice_sequence": 1,
        "shipping": None,
        "tax_exempt": "none",
    },
    "payment_intent": {
        "application": None,
        "on_behalf_of": None,
        "transfer_data": None,
        "allowed_payment_method_types": None,
        "amount_details": {"tip": {}},
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "excluded_payment_method_types": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "processing": None,
        "receipt_email": None,
        "review": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "transfer_group": None,
    },
    "setup_intent": {
        "application": None,
        "on_behalf_of": None,
        "allowed_payment_method_types": None,
        "attach_to_self": False,
        "automatic_payment_methods": None,
        "excluded_payment_method_types": None,
        "flow_directions": None,
        "latest_attempt": None,
        "mandate": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "single_use_mandate": None,
    },
    "price": {
        "currency_options": None,
        "custom_unit_amount": None,
        "tiers": None,
        "tiers_mode": None,
        "transform_quantity": None,
    },
    "product": {
        "images": [],
        "marketing_features": [],
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "tax_details": None,
        "unit_label": None,
        "url": None,
    },
    "subscription_schedule": {
        "application": None,
        "test_clock": None,
        "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
        "pause_schedules": [],
    },
    "charge": {
        "application": None,
        "on_behalf_of": None,
        "transfer_data": None,
        "application_fee": None,
        "application_fee_amount": None,
        "authorization_code": None,
        "failure_balance_transaction": None,
        "fraud_details": {},
        "level3": None,
        "radar_options": None,
        "receipt_number": None,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "transfer": None,
        "transfer_group": None,
    },
    "dispute": {
        "enhanced_eligibility_types": [],
        "intended_submission_method": None,
        "network_reason_code": None,
    },
    "refund": {
        "description": None,
        "destination_details": None,
        "failure_balance_transaction": None,
        "failure_reason": None,
        "instructions_email": None,
        "next_action": None,
        "pending_reason": None,
        "source_transfer_reversal": None,
        "transfer_reversal": None,
    },
    "credit_note": {
        "amount_shipping": 0,
        "customer_balance_transaction": None,
        "discount_amount": 0,
        "discount_amounts": [],
        "pretax_credit_amounts": [],
        "shipping_cost": None,
        "total_taxes": [],
    },
    "tax_id": {"owner": {"type": "self", "account": None, "application": None, "customer": None}},
}


def complete(obj: StripeObject) -> StripeObject:
    """Add the required fields the object's builder left out (in place); return it."""
    kind = obj.get("object")
    defaults = DEFAULTS.get(str(kind))
    if defaults is None or obj.get("deleted"):
        return obj
    for name, value in defaults.items():
        obj.setdefault(name, copy.deepcopy(value))
    if kind == "invoice":
        for line in obj["lines"]["data"]:
            complete(line)
            line["invoice"] = obj["id"]
            line.setdefault("subtotal", line["amount"])
    return obj


def complete_all(node: Any) -> Any:
    """``complete`` every object inside a response or event body (lists, expansions)."""
    if isinstance(node, dict):
        for value in node.values():
            complete_all(value)
        kind = node.get("object")
        if isinstance(kind, str) and kind in DEFAULTS and "id" in node:
            complete(node)
    elif isinstance(node, list):
        for value in node:
            complete_all(value)
    return node
