"""Guessing e-mail verification tokens is limited per client address, like the other credential
routes: at the gateway (its shared per-address budget) and at the platform itself, so a call that
reaches the platform directly is limited too."""

from __future__ import annotations

import secrets
import uuid

import httpx

from gateway.routing import resolve
from tests.gateway_signing import as_gateway

GUESSES = 70


def _address() -> str:
    octets = uuid.uuid4().bytes[:3]
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}"


def _guess(client: httpx.Client, address: str) -> httpx.Response:
    return client.post(
        "/api/auth/verify",
        json={"token": secrets.token_urlsafe(32)},
        # X-Client-IP for the platform called directly, X-Forwarded-For through the gateway.
        headers={"X-Client-IP": address, "X-Forwarded-For": address},
    )


def _first_refusal(client: httpx.Client, address: str) -> tuple[int, httpx.Response]:
    for attempt in range(1, GUESSES + 1):
        response = _guess(client, address)
        if response.status_code == 429:
            return attempt, response
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_or_expired_token"
    raise AssertionError(f"{GUESSES} guesses from one address were never refused")


def test_verify_guesses_at_the_platform_are_limited_per_address(platform_url: str) -> None:
    with httpx.Client(base_url=platform_url, auth=as_gateway(), timeout=20) as client:
        attempt, refused = _first_refusal(client, _address())
        assert attempt <= 21
        assert refused.json()["error"]["code"] == "too_many_attempts"
        assert int(refused.headers["retry-after"]) >= 1
        # Another address is not held back by the first one's guesses.
        assert _guess(client, _address()).status_code == 400


def test_the_gateway_counts_verify_against_the_per_address_budget() -> None:
    route = resolve("POST", "/api/auth/verify", max_json=1024, max_upload=1024)
    assert route is not None and route.public and route.per_address_limited


def test_verify_guesses_through_the_gateway_are_refused(gateway_url: str) -> None:
    with httpx.Client(base_url=gateway_url, timeout=20) as client:
        _, refused = _first_refusal(client, _address())
        assert int(refused.headers["retry-after"]) >= 1
        assert _guess(client, _address()).status_code == 400
