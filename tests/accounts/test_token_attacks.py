"""Forged, stale and misused tokens against a protected route: each is a plain 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404.core.settings import Settings
from sp404.tokens import KeyRing
from tests.stack import Producer

ISS, AUD = "sp404-sample-cloud", "sp404-api"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def ring(migrated_db: Settings, platform_url: str) -> KeyRing:
    return KeyRing.load(migrated_db.keys_dir)


def _claims(account: Producer, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISS,
        "aud": AUD,
        "sub": account.user_id,
        "jti": "j" * 22,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "email": account.email,
        "tier": "free",
        "verified": True,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(ring: KeyRing, claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(
        claims,
        ring.active.private_key,
        algorithm="RS256",
        headers={"kid": ring.active_kid, "typ": "at+jwt", **headers},
    )


ATTACKER = rsa.generate_private_key(public_exponent=65537, key_size=2048)

FORGERIES: dict[str, Callable[[KeyRing, Producer], str]] = {
    "alg none": lambda ring, a: (
        f"{_b64({'alg': 'none', 'typ': 'at+jwt', 'kid': ring.active_kid})}.{_b64(_claims(a))}."
    ),
    "hs256 with the public key": lambda ring, a: _hs256(ring, a),
    "unknown kid": lambda ring, a: jwt.encode(
        _claims(a), ATTACKER, algorithm="RS256", headers={"kid": "not-ours", "typ": "at+jwt"}
    ),
    "attacker key via jwk header": lambda ring, a: jwt.encode(
        _claims(a),
        ATTACKER,
        algorithm="RS256",
        headers={
            "kid": ring.active_kid,
            "typ": "at+jwt",
            "jwk": jwt.algorithms.RSAAlgorithm.to_jwk(ATTACKER.public_key(), as_dict=True),
            "jku": "http://evil.test/jwks.json",
            "x5u": "http://evil.test/cert.pem",
        },
    ),
    "expired": lambda ring, a: _signed(
        ring,
        _claims(
            a, iat=int(time.time()) - 7200, nbf=int(time.time()) - 7200, exp=int(time.time()) - 3600
        ),
    ),
    "not yet valid": lambda ring, a: _signed(ring, _claims(a, nbf=int(time.time()) + 3600)),
    "missing exp": lambda ring, a: _signed(ring, _claims(a, exp=None)),
    "wrong audience": lambda ring, a: _signed(ring, _claims(a, aud="someone-else")),
    "wrong issuer": lambda ring, a: _signed(ring, _claims(a, iss="https://evil.test")),
    "wrong typ": lambda ring, a: _signed(ring, _claims(a), typ="JWT"),
    "a refresh token": lambda ring, a: a.refresh_token,
    "garbage": lambda ring, a: "not.a.token",
}


def _hs256(ring: KeyRing, account: Producer) -> str:
    """HS256 "signed" with the public key PEM as the secret: the classic confusion attack."""
    secret = ring.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "at+jwt", "kid": ring.active_kid})
    payload = _b64(_claims(account))
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize("attack", sorted(FORGERIES))
def test_forged_or_misused_tokens_are_refused_without_detail(
    attack: str, api: httpx.Client, account: Producer, ring: KeyRing
) -> None:
    token = FORGERIES[attack](ring, account)
    response = api.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_genuine_token_from_the_same_ring_passes(
    api: httpx.Client, account: Producer, ring: KeyRing
) -> None:
    token = _signed(ring, _claims(account))
    assert (
        api.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_an_access_token_is_not_a_refresh_token(api: httpx.Client, account: Producer) -> None:
    response = api.post("/api/auth/refresh", json={"refresh_token": account.token})
    assert response.status_code == 401


def test_jwks_publishes_no_private_key_material(api: httpx.Client) -> None:
    jwks = api.get("/.well-known/jwks.json").json()
    assert all("d" not in key and "p" not in key for key in jwks["keys"])


def test_a_key_rotation_takes_effect_without_a_restart_and_old_tokens_keep_working(
    api: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    import subprocess
    import sys

    from tests.services.conftest import service_env

    before = jwt.get_unverified_header(account.token)["kid"]
    rotated = subprocess.run(
        [sys.executable, "-m", "sp404.cli.main", "keys", "rotate"],
        env=service_env(migrated_db, SP404_JWT_KEYS_DIR=str(migrated_db.keys_dir)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert rotated.returncode == 0, rotated.stderr
    fresh = api.post("/api/auth/login", json={"email": account.email, "password": account.password})
    after = jwt.get_unverified_header(fresh.json()["token"])["kid"]
    assert after != before
    assert {k["kid"] for k in api.get("/.well-known/jwks.json").json()["keys"]} >= {before, after}
    assert api.get("/api/account/profile", headers=account.auth).status_code == 200
    new_auth = {"Authorization": f"Bearer {fresh.json()['token']}"}
    assert api.get("/api/account/profile", headers=new_auth).status_code == 200
