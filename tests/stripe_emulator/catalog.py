"""Customers, products, prices, payment methods and billing-portal sessions."""

from __future__ import annotations

from . import billing_cycle
from .errors import StripeError
from .forms import Params, as_bool, as_dict, as_int, as_list, check_known
from .payments import resolve_payment_method
from .state import EmulatorState, StripeObject, random_token

CUSTOMER_PARAMS = frozenset(
    {"email", "name", "description", "metadata", "payment_method", "invoice_settings",
     "phone", "test_clock", "expand", "preferred_locales", "balance", "address", "tax",
     "tax_id_data"}
)  # fmt: skip
ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")
TAX_ID_PARAMS = frozenset({"type", "value", "expand"})
PRODUCT_PARAMS = frozenset({"name", "description", "metadata", "active", "id", "expand"})
PRICE_PARAMS = frozenset(
    {"currency", "unit_amount", "recurring", "product", "product_data", "lookup_key",
     "transfer_lookup_key", "nickname", "metadata", "active", "expand", "tax_behavior"}
)  # fmt: skip
PRICE_UPDATE_PARAMS = frozenset(
    {"active", "lookup_key", "transfer_lookup_key", "nickname", "metadata", "expand"}
)
PORTAL_PARAMS = frozenset({"customer", "return_url", "configuration", "flow_data", "expand"})


def create_customer(state: EmulatorState, params: Params) -> StripeObject:
    """Create a customer, attaching ``payment_method`` when given."""
    check_known(params, CUSTOMER_PARAMS)
    customer = state.put(
        {
            "id": state.new_id("cus"),
            "object": "customer",
            "address": _address(params),
            "balance": as_int(params, "balance", 0),
            "created": state.now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": params.get("description"),
            "email": params.get("email"),
            "invoice_prefix": random_token(8).upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": dict(as_dict(params, "metadata")),
            "name": params.get("name"),
            "phone": params.get("phone"),
            "preferred_locales": [],
            "test_clock": params.get("test_clock") or None,
        }
    )
    _apply_payment_settings(state, customer, params)
    state.emit("customer.created", customer)
    for entry in as_list(params, "tax_id_data"):
        create_tax_id(state, customer, entry)
    return customer


def _address(params: Params) -> StripeObject | None:
    given = as_dict(params, "address")
    if not given:
        return None
    unknown = set(given) - set(ADDRESS_FIELDS)
    if unknown:
        raise StripeError.invalid(f"Received unknown parameter: address[{unknown.pop()}]")
    return {name: given.get(name) or None for name in ADDRESS_FIELDS}


def create_tax_id(state: EmulatorState, customer: StripeObject, params: Params) -> StripeObject:
    """Add a tax id (VAT number, ABN, ...) that the customer's invoices will show."""
    check_known(params, TAX_ID_PARAMS)
    for required in ("type", "value"):
        if not params.get(required):
            raise StripeError.missing_param(required)
    value = str(params["value"]).replace(" ", "").upper()
    tax_id = state.put(
        {
            "id": state.new_id("txi"),
            "object": "tax_id",
            "country": value[:2] if params["type"] == "eu_vat" else None,
            "created": state.now(),
            "customer": customer["id"],
            "livemode": False,
            "type": params["type"],
            "value": value,
            "verification": {"status": "pending", "verified_address": None,
                             "verified_name": None},
        }
    )  # fmt: skip
    state.emit("customer.tax_id.created", tax_id)
    return tax_id


def _apply_payment_settings(state: EmulatorState, customer: StripeObject, params: Params) -> None:
    attached = None
    if params.get("payment_method"):
        attached = resolve_payment_method(
            state, params["payment_method"], customer=customer["id"], param="payment_method"
        )
    default = as_dict(params, "invoice_settings").get("default_payment_method")
    if default:
        # A test token named twice (attach + default) means the one card just attached.
        if attached is not None and default == params.get("payment_method"):
            method = attached
        else:
            method = resolve_payment_method(
                state, default, customer=customer["id"],
                param="invoice_settings[default_payment_method]",
            )  # fmt: skip
        customer["invoice_settings"]["default_payment_method"] = method["id"]


def update_customer(state: EmulatorState, customer: StripeObject, params: Params) -> StripeObject:
    """Update contact details, metadata or the default payment method."""
    check_known(params, CUSTOMER_PARAMS - {"test_clock"})
    if customer.get("deleted"):
        raise StripeError.missing("customer", customer["id"])
    with state.tracking(customer, "customer.updated"):
        for field in ("email", "name", "description", "phone"):
            if field in params:
                customer[field] = params[field] or None
        for key, value in as_dict(params, "metadata").items():
            if value == "":
                customer["metadata"].pop(key, None)
            else:
                customer["metadata"][key] = value
        if "balance" in params:
            customer["balance"] = as_int(params, "balance", 0)
        if "address" in params:
            customer["address"] = _address(params)
        _apply_payment_settings(state, customer, params)
    return customer


def delete_customer(state: EmulatorState, customer: StripeObject) -> StripeObject:
    """Delete a customer, cancelling its live subscriptions first as Stripe does."""
    if customer.get("deleted"):
        raise StripeError.missing("customer", customer["id"])
    for sub in state.find("subscription", lambda s: s["customer"] == customer["id"]):
        if sub["status"] not in ("canceled", "incomplete_expired"):
            billing_cycle.cancel_now(state, sub, reason="cancellation_requested")
    state.emit("customer.deleted", customer)
    tombstone: StripeObject = {"id": customer["id"], "object": "customer", "deleted": True}
    customer.clear()
    customer.update(tombstone)
    return tombstone


def create_product(state: EmulatorState, params: Params) -> StripeObject:
    """Create a product (``name`` required)."""
    check_known(params, PRODUCT_PARAMS)
    if not params.get("name"):
        raise StripeError.missing_param("name")
    product_id = params.get("id") or state.new_id("prod")
    if product_id in state.objects:
        raise StripeError.invalid(f"Product already exists with id {product_id}.", param="id")
    product = state.put(
        {
            "id": product_id,
            "object": "product",
            "active": as_bool(params, "active", True),
            "created": state.now(),
            "default_price": None,
            "description": params.get("description"),
            "livemode": False,
            "metadata": dict(as_dict(params, "metadata")),
            "name": params["name"],
            "type": "service",
            "updated": state.now(),
        }
    )
    state.emit("product.created", product)
    return product


def create_price(state: EmulatorState, params: Params) -> StripeObject:
    """Create a price; a taken ``lookup_key`` needs ``transfer_lookup_key`` like on Stripe."""
    check_known(params, PRICE_PARAMS)
    for required in ("currency", "unit_amount"):
        if params.get(required) in (None, ""):
            raise StripeError.missing_param(required)
    if params.get("product"):
        product = state.get("product", params["product"], param="product")
    elif params.get("product_data"):
        product = create_product(state, as_dict(params, "product_data"))
    else:
        raise StripeError.missing_param("product")
    recurring = as_dict(params, "recurring")
    if recurring and recurring.get("interval") not in ("day", "week", "month", "year"):
        raise StripeError.invalid("Invalid recurring[interval].", param="recurring[interval]")
    lookup_key = params.get("lookup_key") or None
    _claim_lookup_key(state, lookup_key, as_bool(params, "transfer_lookup_key"))
    price = state.put(
        {
            "id": state.new_id("price"),
            "object": "price",
            "active": as_bool(params, "active", True),
            "billing_scheme": "per_unit",
            "created": state.now(),
            "currency": str(params["currency"]).lower(),
            "livemode": False,
            "lookup_key": lookup_key,
            "metadata": dict(as_dict(params, "metadata")),
            "nickname": params.get("nickname"),
            "product": product["id"],
            "recurring": (
                {
                    "interval": recurring["interval"],
                    "interval_count": as_int(recurring, "interval_count", 1),
                    "meter": None,
                    "usage_type": "licensed",
                }
                if recurring
                else None
            ),
            "tax_behavior": params.get("tax_behavior", "unspecified"),
            "type": "recurring" if recurring else "one_time",
            "unit_amount": as_int(params, "unit_amount"),
            "unit_amount_decimal": str(params["unit_amount"]),
        }
    )
    state.emit("price.created", price)
    return price


def _claim_lookup_key(state: EmulatorState, lookup_key: str | None, transfer: bool) -> None:
    if lookup_key is None:
        return
    for holder in state.find("price", lambda p: p["lookup_key"] == lookup_key):
        if not transfer:
            raise StripeError.invalid(
                f"A price (`{holder['id']}`) already uses that lookup key.", param="lookup_key"
            )
        with state.tracking(holder, "price.updated"):
            holder["lookup_key"] = None


def update_price(state: EmulatorState, price: StripeObject, params: Params) -> StripeObject:
    """Update a price's mutable fields (``active``, ``lookup_key``, ``nickname``, metadata)."""
    check_known(params, PRICE_UPDATE_PARAMS)
    if "lookup_key" in params:
        _claim_lookup_key(
            state, params["lookup_key"] or None, as_bool(params, "transfer_lookup_key")
        )
    with state.tracking(price, "price.updated"):
        if "lookup_key" in params:
            price["lookup_key"] = params["lookup_key"] or None
        if "active" in params:
            price["active"] = as_bool(params, "active")
        if "nickname" in params:
            price["nickname"] = params["nickname"] or None
        price["metadata"].update(as_dict(params, "metadata"))
    return price


def attach_payment_method(state: EmulatorState, reference: str, params: Params) -> StripeObject:
    """Attach a payment method (or test token) to a customer."""
    check_known(params, frozenset({"customer", "expand"}))
    customer = state.get("customer", params.get("customer"), param="customer")
    method = resolve_payment_method(state, reference, customer=customer["id"], param="id")
    if method["customer"] != customer["id"]:
        raise StripeError.invalid(
            "The payment method you provided has already been attached to a customer."
        )
    state.emit("payment_method.attached", method)
    return method


def create_portal_session(state: EmulatorState, params: Params) -> StripeObject:
    """Create a billing-portal session whose ``url`` the emulator serves."""
    check_known(params, PORTAL_PARAMS)
    customer = state.get("customer", params.get("customer"), param="customer")
    session_id = state.new_id("bps")
    return state.put(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": params.get("configuration") or "bpc_emulated",
            "created": state.now(),
            "customer": customer["id"],
            "flow": None,
            "livemode": False,
            "locale": None,
            "on_behalf_of": None,
            "return_url": params.get("return_url"),
            "url": f"{state.base_url}/p/session/{session_id}",
        }
    )
