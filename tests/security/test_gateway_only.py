"""Upstreams answer the gateway only, and the client address is the one the gateway resolved.

Found by the attack campaign: a call to the engine worked after the gateway had answered 429 for
the day; the platform's sign-in limit per address took the client-written first X-Forwarded-For
entry (40 logins rotating it were never limited); loopback was a trusted proxy by default.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

import httpx
import pytest
import redis

from sp404.core.client_address import resolve_client_address
from sp404.core.gateway_signature import sign
from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up


@pytest.mark.parametrize(
    ("peer", "chain", "hops", "client"),
    [
        ("203.0.113.9", "6.6.6.6", 0, "203.0.113.9"),  # nobody is trusted: the peer
        ("10.0.0.5", "198.51.100.4", 1, "198.51.100.4"),  # one balancer: what it saw
        ("10.0.0.5", "6.6.6.6, 198.51.100.4", 1, "198.51.100.4"),  # a forged entry, ignored
        ("10.0.0.5", "6.6.6.6, 198.51.100.4, 10.0.0.9", 2, "198.51.100.4"),
        ("10.0.0.5", None, 1, "10.0.0.5"),  # a balancer that added nothing
        ("10.0.0.5", "198.51.100.4", 2, "10.0.0.5"),  # fewer entries than proxies: believe none
    ],
)
def test_the_client_is_counted_from_the_right_by_trusted_hops(
    peer: str, chain: str | None, hops: int, client: str
) -> None:
    assert resolve_client_address(peer, chain, hops) == client


def test_services_refuse_what_the_gateway_did_not_sign(
    platform_url: str, engine_url: str, account: Producer
) -> None:
    for url, path in [
        (engine_url, "/api/samples"),
        (platform_url, "/api/account/profile"),
        (platform_url, "/api/billing/subscription"),
    ]:
        refused = httpx.get(f"{url}{path}", headers=account.auth)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["code"] == "gateway_required"
    login = httpx.post(
        f"{platform_url}/api/auth/login", json={"email": account.email, "password": "x" * 12}
    )
    assert login.status_code == 403
    # Health, readiness, metrics and the public keys stay open to the infrastructure.
    for url in (platform_url, engine_url):
        for path in ("/healthz", "/readyz", "/metrics"):
            assert httpx.get(f"{url}{path}").status_code == 200, (url, path)
    assert httpx.get(f"{platform_url}/.well-known/jwks.json").status_code == 200


def test_forged_stale_or_replayed_signatures_are_refused(
    engine_url: str, account: Producer
) -> None:
    secret = as_gateway().secrets()[0]
    fine = {"X-Client-IP": "198.51.100.4", **account.auth}

    def attempt(signature: str, path: str = "/api/samples", **extra: str) -> int:
        headers = {**fine, "X-Gateway-Signature": signature, **extra}
        return httpx.get(f"{engine_url}{path}", headers=headers).status_code

    assert attempt(sign(secret, "GET", "/api/samples", "198.51.100.4")) == 200
    assert attempt(sign("not-the-secret", "GET", "/api/samples", "198.51.100.4")) == 403
    stale = sign(secret, "GET", "/api/samples", "198.51.100.4", now=time.time() - 120)
    assert attempt(stale) == 403
    other_path = sign(secret, "GET", "/api/kits", "198.51.100.4")
    assert attempt(other_path) == 403
    # The address is part of what is signed: it cannot be swapped for another.
    signed = sign(secret, "GET", "/api/samples", "198.51.100.4")
    assert attempt(signed, **{"X-Client-IP": "6.6.6.6"}) == 403
    assert attempt("t=abc,v1=zz") == 403


def test_a_producer_refused_for_the_day_gains_nothing_by_calling_the_engine(
    gateway_url: str, engine_url: str, mailbox: Mailbox, migrated_db: Settings
) -> None:
    with httpx.Client(base_url=gateway_url, timeout=30) as gw:
        producer = signed_up(gw, mailbox)
        created = gw.post(
            "/api/account/tokens",
            headers=producer.auth,
            json={"name": "sync", "scopes": ["library:read"]},
        )
        token = {"Authorization": f"Bearer {created.json()['token']}"}
        store = redis.Redis.from_url(migrated_db.redis_url)
        try:
            day = f"sp404:api_calls:{{{producer.user_id}}}:{dt.datetime.now(dt.UTC):%Y%m%d}"
            store.set(day, 100)
        finally:
            store.close()
        assert gw.get("/api/samples", headers=token).status_code == 429
    direct = httpx.get(f"{engine_url}/api/samples", headers=token)
    assert direct.status_code == 403
    assert direct.json()["error"]["code"] == "gateway_required"


def test_rotating_the_first_forwarded_address_does_not_escape_the_sign_in_limit(
    gateway_url: str, account: Producer
) -> None:
    fixed = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    statuses = []
    with httpx.Client(base_url=gateway_url, timeout=30) as gw:
        for attempt in range(40):
            forged = f"10.66.{attempt}.{uuid.uuid4().int % 250 + 1}"
            response = gw.post(
                "/api/auth/login",
                # A client in front of the tests' one trusted hop writes the first entry.
                headers={"X-Forwarded-For": f"{forged}, {fixed}"},
                json={"email": f"nobody-{attempt}@example.com", "password": "wrong guess!"},
            )
            statuses.append(response.status_code)
    assert 429 in statuses, statuses
    assert statuses.index(429) <= 31


def test_the_gateway_setting_defaults_to_no_trusted_proxies() -> None:
    from gateway.config import GatewaySettings

    assert GatewaySettings(_env_file=None).trusted_proxy_hops == 0  # type: ignore[call-arg]
