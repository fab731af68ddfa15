"""A platform process wired to the Stripe emulator, and helpers to act as a paying producer."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis

from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway, gateway_headers
from tests.stack import Mailbox, Producer, signed_up, start_platform, stop
from tests.stripe_emulator import EmulatorServer, WebhookEndpoint
from tests.stripe_emulator.plans import platform_billing_env

DAY = 86_400


@dataclass
class BillingStack:
    """The running platform, the emulator it bills through and the webhook endpoint to it."""

    url: str
    emulator: EmulatorServer
    endpoint: WebhookEndpoint
    stripe: Any  # the SDK's client.v1 services, as an operator's script would use them
    prices: dict[str, str]
    settings: Settings
    mailbox: Mailbox
    redis: redis.Redis
    checked: int = 0

    def wait(self) -> None:
        """Let every webhook Stripe has queued reach the platform, which must accept each."""
        deliveries = self.emulator.wait_for_webhooks()
        failed = [d for d in deliveries[self.checked :] if d.status != 200]
        self.checked = len(deliveries)
        assert not failed, failed


@contextmanager
def running_billing_stack(
    migrated_db: Settings, mailbox: Mailbox, **settings: str
) -> Iterator[BillingStack]:
    """A Stripe emulator and a platform billing through it (with `settings` on top of the
    emulator's keys and prices), its webhook endpoint registered."""
    with EmulatorServer() as emulator:
        secret = f"whsec_{secrets.token_hex(16)}"
        env = platform_billing_env(emulator, webhook_secret=secret) | settings
        prices = {
            "pro": env["SP404_STRIPE_PRICE_PRO"],
            "enterprise": env["SP404_STRIPE_PRICE_ENTERPRISE"],
        }
        stripe = emulator.client().v1
        url, process = start_platform(migrated_db, mailbox, **env)
        endpoint = emulator.add_webhook_endpoint(
            f"{url}/api/billing/webhook", extra_headers=gateway_headers
        )
        endpoint.secret = secret
        client = redis.Redis.from_url(migrated_db.redis_url)
        try:
            yield BillingStack(
                url, emulator, endpoint, stripe, prices, migrated_db, mailbox, client
            )
        finally:
            stop(process)
            client.close()


@pytest.fixture(scope="session")
def billing_stack(
    migrated_db: Settings,
    mailbox: Mailbox,
) -> Iterator[BillingStack]:
    with running_billing_stack(migrated_db, mailbox) as stack:
        yield stack


@pytest.fixture
def api(billing_stack: BillingStack) -> Iterator[httpx.Client]:
    """An HTTP client for the billing platform, from an address of its own."""
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    headers = {"X-Client-IP": ip}
    with httpx.Client(
        base_url=billing_stack.url, auth=as_gateway(), headers=headers, timeout=30
    ) as client:
        yield client


@pytest.fixture
def producer(api: httpx.Client, billing_stack: BillingStack) -> Producer:
    """A signed-in producer on Free."""
    return signed_up(api, billing_stack.mailbox)


@pytest.fixture
def other_producer(api: httpx.Client, billing_stack: BillingStack) -> Producer:
    """A second producer, whose billing the first must never see or touch."""
    return signed_up(api, billing_stack.mailbox)


def pay(stack: BillingStack, answer: dict[str, Any], card: str = "pm_card_visa") -> None:
    """Act as the browser: confirm the client secret with a card, then let webhooks land."""
    secret = answer["client_secret"]
    assert secret, answer
    stack.emulator.confirm_payment(secret.split("_secret_")[0], card)
    stack.wait()


def subscription(api: httpx.Client, who: Producer) -> dict[str, Any]:
    response = api.get("/api/billing/subscription", headers=who.auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def subscribed(
    stack: BillingStack, api: httpx.Client, who: Producer, plan: str = "pro"
) -> dict[str, Any]:
    """Subscribe and pay (or save a card for a trial); the subscription view afterwards."""
    answer = api.post("/api/billing/subscribe", json={"plan_id": plan}, headers=who.auth)
    assert answer.status_code == 200, answer.text
    pay(stack, answer.json())
    return subscription(api, who)


def customer_id(stack: BillingStack, who: Producer) -> str:
    found = stack.stripe.customers.list(params={"email": who.email}).data
    assert len(found) == 1
    return str(found[0].id)


def stripe_subscription(stack: BillingStack, who: Producer) -> Any:
    listed = stack.stripe.subscriptions.list(
        params={"customer": customer_id(stack, who), "status": "all"}
    ).data
    return listed[0]


def gateway_tier(stack: BillingStack, who: Producer) -> str | None:
    value = stack.redis.get(f"sp404:tier:{{{who.user_id}}}")
    return None if value is None else value.decode()
