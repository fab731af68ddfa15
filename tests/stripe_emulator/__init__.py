"""An offline, stateful emulator of the Stripe API for tests that drive the real SDK.

    with EmulatorServer() as emulator:
        api = emulator.client().v1            # or StripeClient(key, base_addresses={"api": url})
        endpoint = emulator.add_webhook_endpoint("http://127.0.0.1:8000/billing/webhooks")
        ...                                   # drive the product; it calls Stripe as usual
        emulator.advance(30 * 86_400)         # renewals, trial ends, retries happen in order
        emulator.fail_payments(customer_id)   # every charge for that customer now declines
        emulator.wait_for_webhooks()          # deliveries signed with endpoint.secret

Test-only controls also exist over HTTP: ``POST /_emulator/advance`` (``seconds`` or ``to``),
``/_emulator/fail_payments`` (``customer``, ``outcome``, ``enabled``) and
``/_emulator/confirm_payment`` (``payment_intent``); Stripe's own test clocks work as well.
"""

from .errors import StripeError
from .server import EmulatorServer
from .state import API_VERSION, EmulatorState
from .webhooks import Delivery, WebhookEndpoint, sign_payload

__all__ = [
    "API_VERSION",
    "Delivery",
    "EmulatorServer",
    "EmulatorState",
    "StripeError",
    "WebhookEndpoint",
    "sign_payload",
]
