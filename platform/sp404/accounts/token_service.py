"""The platform's side of tokens: signing with the current key ring and verifying requests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import redis.asyncio as redis

from sp404.core.settings import TokensSection
from sp404.tokens import (
    Claims,
    KeyRing,
    RevocationStore,
    build_jwks,
    issue_access_token,
    platform_verifier,
)

MANIFEST = "keyring.json"


@dataclass
class IssuedToken:
    token: str
    claims: dict[str, Any]


class TokenService:
    """Signs access tokens with the active key and verifies them (signature, claims, revocation).

    The key ring is re-read when its manifest changes on disk, so `sp404 keys rotate` takes effect
    without a restart.
    """

    def __init__(self, settings: TokensSection, client: redis.Redis) -> None:
        self.settings = settings
        self._dir = Path(settings.keys_dir)
        self._ring = KeyRing.load(self._dir)
        self._mtime = self._manifest_mtime()
        self.revocation = RevocationStore(client, access_ttl=settings.access_token_ttl_s, leeway=30)
        self.verifier, self._keys = platform_verifier(
            settings, self._ring, revocation=self.revocation
        )

    async def aclose(self) -> None:
        """Close the key cache (an HTTP session when SP404_JWKS_URL is set)."""
        await self._keys.aclose()

    def _manifest_mtime(self) -> float:
        return os.stat(self._dir / MANIFEST).st_mtime

    @property
    def keyring(self) -> KeyRing:
        """The current key ring, reloaded when the manifest changed."""
        mtime = self._manifest_mtime()
        if mtime != self._mtime:
            self._ring, self._mtime = KeyRing.load(self._dir), mtime
        return self._ring

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document: every key that may still verify a token."""
        return build_jwks(self.keyring)

    def issue(
        self,
        *,
        user_id: UUID,
        email: str,
        tier: str,
        verified: bool,
        sid: UUID | None,
        now: int | None = None,
    ) -> IssuedToken:
        """A signed access token for the user."""
        token, claims = issue_access_token(
            self.keyring,
            user_id=user_id,
            email=email,
            tier=tier,
            verified=verified,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            ttl=self.settings.access_token_ttl_s,
            sid=None if sid is None else str(sid),
            now=now,
        )
        return IssuedToken(token, claims)

    async def verify(self, token: str) -> Claims:
        """The claims of a valid, unrevoked access token, or InvalidToken."""
        return await self.verifier.verify(token)
