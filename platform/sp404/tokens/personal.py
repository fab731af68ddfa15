"""Personal access tokens: their format, and turning a presented one into claims.

A token is `sp404_pat_` followed by 40 characters from 240 random bits. The fixed prefix lets
secret scanners recognise a leaked token and lets every door tell it from a session JWT at a
glance. Only a SHA-256 of it is stored: with this much entropy a slow hash adds nothing, and the
lookup must cost one index probe.

Each service resolves tokens itself (the gateway's word is never taken) and keeps a resolved row
for `cache_ttl_s`. Revocation is immediate anyway: revoking writes the token's jti
(`pat:{id}`) to the same Redis denylist session tokens use, which the gateway's limiter script
and `RevocationStore.check` read on every request, for longer than any cache keeps the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import asyncpg

from sp404.core.db import tenant_tx
from sp404.tokens.claims import Claims
from sp404.tokens.errors import InvalidToken
from sp404.tokens.revocation import RevocationStore

PREFIX = "sp404_pat_"
# The part of a token the account page shows, enough to tell tokens apart.
DISPLAY_LENGTH = len(PREFIX) + 4
_SECRET_BYTES = 30
_TOKEN_LENGTH = len(PREFIX) + 40
# A token without an expiry still needs a finite exp for revocation keys and the verifier.
_NO_EXPIRY_S = 10 * 365 * 24 * 3600

_FIND = "select * from app.find_personal_access_token($1)"


def new_personal_token() -> str:
    """A fresh token, to show its owner once."""
    return PREFIX + secrets.token_urlsafe(_SECRET_BYTES)


def hash_personal_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_personal_token(token: str) -> bool:
    """Whether a bearer credential is a personal token (else it is treated as a session JWT)."""
    return token.startswith(PREFIX)


def token_jti(token_id: object) -> str:
    """The revocation id of a personal token, in the same denylist as session tokens."""
    return f"pat:{token_id}"


class SessionVerifier(Protocol):
    """What verifies a session JWT (AccessTokenVerifier, the platform's TokenService)."""

    async def verify(self, token: str) -> Claims: ...


async def bearer_claims(
    credential: str,
    sessions: SessionVerifier,
    personal: PersonalTokenResolver,
    *,
    check_revocation: bool = True,
) -> Claims:
    """The claims of a bearer credential, whichever kind: a personal token or a session JWT.

    `check_revocation` applies to personal tokens (a session verifier checks its own, or not).
    """
    if is_personal_token(credential):
        return await personal.resolve(credential, check_revocation=check_revocation)
    return await sessions.verify(credential)


@dataclass(frozen=True, slots=True)
class _Row:
    token_id: str
    user_id: str
    email: str
    tier: str
    verified: bool
    scopes: frozenset[str]
    expires_at: float | None
    revoked: bool
    fetched_at: float


class PersonalTokenResolver:
    """Presented token -> claims, through `app.find_personal_access_token`, briefly cached."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        revocation: RevocationStore | None,
        *,
        cache_ttl_s: float = 30.0,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._pool = pool
        self._revocation = revocation
        self._ttl = cache_ttl_s
        self._size = cache_size
        self._clock = clock
        self._cache: OrderedDict[str, _Row] = OrderedDict()

    @property
    def cache_ttl_s(self) -> float:
        """How long a resolved token is kept; revocation keys must outlive it."""
        return self._ttl

    async def resolve(self, token: str, *, check_revocation: bool = True) -> Claims:
        """The claims a valid personal token carries; InvalidToken otherwise.

        The gateway passes `check_revocation=False`: its limiter script reads the same denylist
        in the same Redis round trip as the limits.
        """
        if len(token) != _TOKEN_LENGTH or not is_personal_token(token):
            raise InvalidToken("invalid")
        now = self._clock()
        row = await self._row(hash_personal_token(token), now)
        if row is None:
            raise InvalidToken("invalid")
        if row.revoked:
            raise InvalidToken("revoked")
        if row.expires_at is not None and row.expires_at <= now:
            raise InvalidToken("expired")
        claims = Claims(
            user_id=row.user_id,
            email=row.email,
            tier=row.tier,
            verified=row.verified,
            jti=token_jti(row.token_id),
            exp=int(row.expires_at if row.expires_at is not None else now + _NO_EXPIRY_S),
            # "Now": signing out everywhere ends sessions, not the owner's scripts; a token is
            # ended by revoking it (or by deleting the account, which deletes it).
            iat=int(now),
            sid=None,
            raw=MappingProxyType({"kind": "personal", "token_id": row.token_id}),
            scopes=row.scopes,
        )
        if check_revocation and self._revocation is not None:
            await self._revocation.check(claims)
        return claims

    def forget(self, token_id: str) -> None:
        """Drop a token from this process's cache (after revoking it here)."""
        for key, row in list(self._cache.items()):
            if row.token_id == token_id:
                del self._cache[key]

    async def _row(self, token_hash: str, now: float) -> _Row | None:
        cached = self._cache.get(token_hash)
        if cached is not None and now - cached.fetched_at < self._ttl:
            self._cache.move_to_end(token_hash)
            return cached
        async with tenant_tx(self._pool, None) as conn:
            record = await conn.fetchrow(_FIND, token_hash)
        if record is None:
            self._cache.pop(token_hash, None)
            return None
        expires: dt.datetime | None = record["expires_at"]
        row = _Row(
            token_id=str(record["id"]),
            user_id=str(record["user_id"]),
            email=record["email"],
            tier=record["tier"],
            verified=record["verified"],
            scopes=frozenset(record["scopes"]),
            expires_at=None if expires is None else expires.timestamp(),
            revoked=record["revoked_at"] is not None,
            fetched_at=now,
        )
        self._cache[token_hash] = row
        self._cache.move_to_end(token_hash)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return row
