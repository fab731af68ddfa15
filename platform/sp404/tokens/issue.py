"""Issuing access tokens (RS256 JWTs) and the opaque tokens stored only as hashes."""

import hashlib
import secrets
import time
import uuid
from typing import Any

import jwt

from sp404.tokens.keys import KeyRing

ACCESS_JWT_TYPE = "at+jwt"  # RFC 9068; lets a verifier tell access tokens from other JWTs


def issue_access_token(
    keyring: KeyRing,
    *,
    user_id: str | uuid.UUID,
    email: str,
    tier: str,
    verified: bool,
    issuer: str,
    audience: str,
    ttl: int = 3600,
    sid: str | None = None,
    now: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """Sign an access token with the active key; returns the token and its claims."""
    issued_at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user_id),
        "jti": secrets.token_urlsafe(16),  # 128 random bits
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl,
        "email": email,
        "tier": tier,
        "verified": verified,
    }
    if sid is not None:
        claims["sid"] = sid
    active = keyring.active
    token = jwt.encode(
        claims,
        active.private_key,
        algorithm="RS256",
        headers={"kid": active.kid, "typ": ACCESS_JWT_TYPE},
    )
    return token, claims


def new_opaque_token() -> str:
    """A 256-bit random URL-safe token for refresh, e-mail verification and password reset."""
    return secrets.token_urlsafe(32)


def hash_opaque_token(token: str) -> str:
    """The SHA-256 hex digest under which an opaque token is stored and looked up."""
    # A plain hash is enough: the token has 256 bits of entropy, so no salt or slow KDF helps.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
