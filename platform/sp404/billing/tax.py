"""Stripe Tax (SP404_STRIPE_AUTOMATIC_TAX): the billing address tax is worked out from, and the
producer's tax id that Stripe prints on every invoice. Off, the route answers 404."""

from __future__ import annotations

import uuid
from typing import Any

from sp404.billing.checkout import ensure_customer
from sp404.billing.context import Billing
from sp404.billing.schemas import TaxDetailsIn
from sp404.billing.stripe_api import idempotency_key, require_client, stripe_errors
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.errors import NotFound


async def set_tax_details(
    ctx: Billing, *, user_id: uuid.UUID, details: TaxDetailsIn, nonce: str
) -> dict[str, Any]:
    """Store the billing address on the Stripe customer and add the tax id, if one is given."""
    if not ctx.settings.stripe_automatic_tax:
        raise NotFound("Tax collection is not enabled on this server.")
    client = require_client(ctx.stripe)
    customer = await ensure_customer(ctx, client, user_id)
    address = details.model_dump(include={"country", "postal_code", "state", "city", "line1",
                                          "line2"}, exclude_none=True)  # fmt: skip
    with stripe_errors():
        await client.v1.customers.update_async(
            customer,
            params={"address": address},  # type: ignore[arg-type]
            options=idempotency_key(user_id, "tax-address", nonce),
        )
        if details.tax_id_type and details.tax_id_value:
            await client.v1.customers.tax_ids.create_async(
                customer,
                params={"type": details.tax_id_type, "value": details.tax_id_value},
                options=idempotency_key(user_id, "tax-id", nonce),
            )
        listed = await client.v1.customers.tax_ids.list_async(customer)
    async with tenant_tx(ctx.pool, user_id) as conn:
        await write_audit(
            conn, action="billing.tax_details_set", user_id=user_id, target_type="customer",
            target_id=customer, details={"country": details.country},
        )  # fmt: skip
    return {
        "country": details.country,
        "tax_ids": [str(t.value) for t in listed.data],
        "automatic_tax": True,
    }
