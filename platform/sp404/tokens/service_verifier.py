"""The one way a service builds its access-token verifier, from the token settings it holds.

Keys come from `SP404_JWKS_URL` when it is set, in every service alike; otherwise the platform
reads its own key ring and the gateway and the engine fetch the first platform URL's JWKS.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from sp404.tokens.jwks import JwksCache
from sp404.tokens.keys import KeyRing
from sp404.tokens.verify import AccessTokenVerifier, RevocationCheck

log = logging.getLogger("tokens")

# Short: a service that started before the platform should not refuse every token for long;
# unknown kids still cost at most one fetch per interval.
_MIN_REFRESH_INTERVAL_S = 5.0


class VerifierSettings(Protocol):
    """The token settings a verifier reads."""

    @property
    def jwks_url(self) -> str | None: ...

    @property
    def jwt_issuer(self) -> str: ...

    @property
    def jwt_audience(self) -> str: ...


class RemoteVerifierSettings(VerifierSettings, Protocol):
    """Token settings of a service that does not hold the key ring, with the platform's address."""

    @property
    def platform_urls(self) -> Sequence[str]: ...


def jwks_url(settings: RemoteVerifierSettings) -> str:
    """Where a service without the key ring reads the public keys."""
    return settings.jwks_url or f"{settings.platform_urls[0].rstrip('/')}/.well-known/jwks.json"


def platform_verifier(
    settings: VerifierSettings, keyring: KeyRing, *, revocation: RevocationCheck | None = None
) -> tuple[AccessTokenVerifier, JwksCache]:
    """The platform's verifier, reading `keyring` unless a JWKS URL is configured.

    The caller closes the returned key cache at shutdown.
    """
    if settings.jwks_url is None:
        keys = JwksCache.from_keyring(keyring, min_refresh_interval=_MIN_REFRESH_INTERVAL_S)
    else:
        keys = JwksCache(settings.jwks_url, min_refresh_interval=_MIN_REFRESH_INTERVAL_S)
    return _verifier(settings, keys, revocation), keys


async def start_verifier(
    settings: RemoteVerifierSettings, *, revocation: RevocationCheck | None = None
) -> tuple[AccessTokenVerifier, JwksCache]:
    """A gateway's or engine's verifier, its keys fetched now or else retried in the background.

    The caller closes the returned key cache at shutdown.
    """
    url = jwks_url(settings)
    keys = JwksCache(url, min_refresh_interval=_MIN_REFRESH_INTERVAL_S)
    if not await keys.refresh():
        # The platform may start after this service (as in `make run`); not ready until then.
        log.warning("no signing keys yet from %s; retrying until they arrive", url)
        keys.keep_trying()
    return _verifier(settings, keys, revocation), keys


def _verifier(
    settings: VerifierSettings, keys: JwksCache, revocation: RevocationCheck | None
) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, revocation=revocation
    )
