"""Our paid plans as products and prices in an emulator, and the platform settings that use them.

Every suite that runs the platform against the emulator (billing tests, browser tests, fuzzing,
the webhook drill) needs the same catalogue and the same SP404_STRIPE_* settings.
"""

from __future__ import annotations

from typing import Any

from .server import EmulatorServer

# Monthly prices in cents, as the plan table has them.
PLAN_PRICES = {"pro": 2900, "enterprise": 9900}
SECRET_KEY = "sk_test_sample_cloud"


def platform_billing_env(emulator: EmulatorServer, *, webhook_secret: str) -> dict[str, str]:
    """Create the plans' prices in `emulator`; the platform settings that bill through them."""
    api: Any = emulator.client().v1
    product = api.products.create(params={"name": "SP-404 Sample Cloud"})
    prices = {
        plan: api.prices.create(
            params={"product": product.id, "currency": "usd", "unit_amount": cents,
                    "recurring": {"interval": "month"}, "lookup_key": plan}
        ).id
        for plan, cents in PLAN_PRICES.items()
    }  # fmt: skip
    return {
        "SP404_STRIPE_SECRET_KEY": SECRET_KEY,
        "SP404_STRIPE_API_BASE": emulator.url,
        "SP404_STRIPE_WEBHOOK_SECRET": webhook_secret,
        "SP404_STRIPE_PRICE_PRO": prices["pro"],
        "SP404_STRIPE_PRICE_ENTERPRISE": prices["enterprise"],
    }
