"""Tokens at the door: forged, expired, misdirected and revoked ones never get through."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization

from sp404.core.settings import Settings
from sp404.tokens import KeyRing, RevocationStore, generate, issue_access_token, new_opaque_token
from tests.gateway.conftest import Gateway, Mint, bearer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(settings: Settings, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(uuid.uuid4()),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "email": "mallory@example.com",
        "tier": "enterprise",
        "verified": True,
    }
    claims.update(overrides)
    return claims


def _unsigned(header: Mapping[str, object], claims: Mapping[str, object], signature: bytes) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


def alg_none(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    header = {"alg": "none", "typ": "at+jwt", "kid": keyring.active_kid}
    return _unsigned(header, _claims(settings), b"")


def hs256_with_the_public_key(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    public_pem = keyring.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": keyring.active_kid}
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(_claims(settings)).encode())
    signature = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def expired(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    token, _ = issue_access_token(
        keyring,
        user_id=uuid.uuid4(),
        email="a@example.com",
        tier="free",
        verified=True,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=600,
        now=int(time.time()) - 3600,
    )
    return token


def wrong_audience(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    token, _ = issue_access_token(
        keyring,
        user_id=uuid.uuid4(),
        email="a@example.com",
        tier="free",
        verified=True,
        issuer=settings.jwt_issuer,
        audience="some-other-api",
    )
    return token


def wrong_issuer(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    token, _ = issue_access_token(
        keyring,
        user_id=uuid.uuid4(),
        email="a@example.com",
        tier="free",
        verified=True,
        issuer="https://evil.example",
        audience=settings.jwt_audience,
    )
    return token


def unknown_kid(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    stranger = generate(tmp / "stranger-keys")
    token, _ = issue_access_token(
        stranger,
        user_id=uuid.uuid4(),
        email="a@example.com",
        tier="free",
        verified=True,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    return token


def refresh_token_as_access_token(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    return new_opaque_token()


def plain_jwt_type(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    return jwt.encode(
        _claims(settings),
        keyring.active.private_key,
        algorithm="RS256",
        headers={"kid": keyring.active_kid, "typ": "JWT"},
    )


def tampered_tier(keyring: KeyRing, settings: Settings, tmp: Path) -> str:
    token, claims = issue_access_token(
        keyring,
        user_id=uuid.uuid4(),
        email="a@example.com",
        tier="free",
        verified=True,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    head, _, signature = token.split(".")
    body = _b64(json.dumps({**claims, "tier": "enterprise"}).encode())
    return f"{head}.{body}.{signature}"


ATTACKS: list[Callable[[KeyRing, Settings, Path], str]] = [
    alg_none,
    hs256_with_the_public_key,
    expired,
    wrong_audience,
    wrong_issuer,
    unknown_kid,
    refresh_token_as_access_token,
    plain_jwt_type,
    tampered_tier,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.__name__ for a in ATTACKS])
def test_forged_or_misdirected_tokens_are_refused_with_401(
    gateway: Gateway,
    keyring: KeyRing,
    migrated_db: Settings,
    tmp_path: Path,
    attack: Callable[[KeyRing, Settings, Path], str],
) -> None:
    token = attack(keyring, migrated_db, tmp_path)
    response = gateway.client.get("/api/samples", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Token abc"])
def test_requests_without_a_bearer_token_are_refused_with_401(
    gateway: Gateway, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = gateway.client.get("/api/collections", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/refresh"),
        ("POST", "/api/auth/verify"),
        ("POST", "/api/auth/verify/resend"),
        ("POST", "/api/auth/password/forgot"),
        ("POST", "/api/auth/password/reset"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/api/billing/plans"),
        ("POST", "/api/billing/webhook"),
        ("GET", "/healthz"),
    ],
)
def test_public_routes_pass_without_a_token(gateway: Gateway, method: str, path: str) -> None:
    response = gateway.client.request(
        method, path, headers={"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}
    )
    assert response.status_code == 200


def test_the_same_paths_with_another_method_need_a_token(gateway: Gateway) -> None:
    assert gateway.client.get("/api/auth/login").status_code == 401
    assert gateway.client.delete("/api/billing/webhook").status_code == 401


@pytest_asyncio.fixture(loop_scope="session")
async def revocations(migrated_db: Settings) -> AsyncIterator[RevocationStore]:
    """The platform's revocation store, writing to the Redis the gateway reads."""
    store = RevocationStore.from_url(migrated_db.redis_url)
    yield store
    await store.aclose()


def _decoded(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


async def test_a_revoked_token_is_refused_on_the_very_next_request(
    gateway: Gateway, mint: Mint, revocations: RevocationStore
) -> None:
    token = mint()
    assert gateway.client.get("/api/samples", headers=bearer(token)).status_code == 200
    claims = _decoded(token)
    await revocations.revoke_jti(
        str(claims["jti"]), int(str(claims["exp"])), user_id=str(claims["sub"])
    )
    response = gateway.client.get("/api/samples", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The access token has been revoked."


async def test_a_password_change_refuses_every_older_token_of_that_user(
    gateway: Gateway, mint: Mint, revocations: RevocationStore
) -> None:
    user = uuid.uuid4()
    old = mint(user, now=int(time.time()) - 10)
    other_user = mint()
    await revocations.set_valid_after(user, int(time.time()))
    assert gateway.client.get("/api/samples", headers=bearer(old)).status_code == 401
    fresh = mint(user)
    assert gateway.client.get("/api/samples", headers=bearer(fresh)).status_code == 200
    assert gateway.client.get("/api/samples", headers=bearer(other_user)).status_code == 200


async def test_a_signed_out_session_refuses_its_tokens(
    gateway: Gateway, mint: Mint, revocations: RevocationStore
) -> None:
    session = uuid.uuid4().hex
    token = mint(sid=session)
    assert gateway.client.get("/api/kits", headers=bearer(token)).status_code == 200
    await revocations.revoke_session(session, user_id=str(_decoded(token)["sub"]))
    assert gateway.client.get("/api/kits", headers=bearer(token)).status_code == 401
