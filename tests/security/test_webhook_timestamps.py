"""A Stripe webhook counts only when its signed timestamp is within 5 minutes of now, either way:
Stripe's tolerance refuses old ones (replays); we also refuse ones from the future, which a
leaked signature with a forged-ahead clock would otherwise keep valid for as long as it likes."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, start_platform, stop
from tests.stripe_emulator import sign_payload

SECRET = f"whsec_{secrets.token_hex(16)}"


@pytest.fixture(scope="module")
def webhook_url(migrated_db: Settings, mailbox: Mailbox) -> Iterator[str]:
    """A platform that verifies webhooks with SECRET (no Stripe API key: none is needed here)."""
    url, process = start_platform(migrated_db, mailbox, SP404_STRIPE_WEBHOOK_SECRET=SECRET)
    yield f"{url}/api/billing/webhook"
    stop(process)


def _event() -> bytes:
    event_id = f"evt_{uuid.uuid4().hex}"
    return (
        f'{{"id": "{event_id}", "type": "customer.deleted", "created": 1,'
        ' "data": {"object": {"object": "customer", "id": "cus_nobody"}}}'
    ).encode()


def _deliver(url: str, skew_s: int) -> httpx.Response:
    body = _event()
    signature = sign_payload(body, SECRET, int(time.time()) + skew_s)
    return httpx.post(
        url,
        auth=as_gateway(),
        content=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        timeout=20,
    )


@pytest.mark.parametrize("skew_s", [400, 3600, 10 * 365 * 86400, -400, -3600])
def test_a_timestamp_more_than_5_minutes_off_is_refused(webhook_url: str, skew_s: int) -> None:
    response = _deliver(webhook_url, skew_s)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_signature"


@pytest.mark.parametrize("skew_s", [-240, 0, 240])
def test_a_timestamp_within_5_minutes_either_way_is_accepted(webhook_url: str, skew_s: int) -> None:
    response = _deliver(webhook_url, skew_s)
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "ignored"
