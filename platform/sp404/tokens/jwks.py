"""The public JWKS document, and the cache verifiers in other processes read keys from.

`JwksCache` fetches `{platform}/.well-known/jwks.json` with aiohttp. It refreshes when a token
names a kid it does not know, at most once per `min_refresh_interval`, so a flood of tokens with
made-up kids costs one request per interval, not one per token. When its copy is older than
`max_age` it refreshes in the background and keeps answering from the copy meanwhile. When the
platform is down or answers garbage, it keeps serving the keys it has: tokens keep verifying
through a platform outage, and a key removed from the JWKS disappears at the next good fetch.
"""

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404.tokens._base64url import b64url_decode, uint_to_b64url
from sp404.tokens.errors import KeyRingError
from sp404.tokens.keys import KEY_SIZE, KeyRing

logger = logging.getLogger("tokens")

_MAX_DOCUMENT_BYTES = 256 * 1024
# How often a cache with no key at all may fetch on a token's behalf.
_NO_KEYS_INTERVAL_S = 0.5


class JwksUnavailable(Exception):
    """The JWKS could not be fetched or did not hold a usable key."""


def build_jwks(keyring: KeyRing, *, now: float | None = None) -> dict[str, Any]:
    """The JWKS document listing every public key that may still verify tokens at `now`."""
    keys = []
    for kid, public_key in sorted(keyring.verification_keys(now).items()):
        numbers = public_key.public_numbers()
        keys.append(
            {
                "kty": "RSA",
                "kid": kid,
                "use": "sig",
                "alg": "RS256",
                "n": uint_to_b64url(numbers.n),
                "e": uint_to_b64url(numbers.e),
            }
        )
    return {"keys": keys}


def parse_jwks(document: Any) -> dict[str, rsa.RSAPublicKey]:
    """RS256 signing keys by kid from a JWKS document; keys of other kinds are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksUnavailable("the document is not a JWKS")
    found: dict[str, rsa.RSAPublicKey] = {}
    for jwk in document["keys"]:
        key = _rs256_key(jwk)
        if key is not None:
            found[jwk["kid"]] = key
    return found


def _rs256_key(jwk: Any) -> rsa.RSAPublicKey | None:
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        return None
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
        return None
    kid, n, e = jwk.get("kid"), jwk.get("n"), jwk.get("e")
    if not (isinstance(kid, str) and kid and isinstance(n, str) and isinstance(e, str)):
        return None
    try:
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(b64url_decode(e), "big"), int.from_bytes(b64url_decode(n), "big")
        )
        key = numbers.public_key()
    except ValueError:
        return None
    return key if key.key_size >= KEY_SIZE else None


class _Loader(Protocol):
    async def load(self) -> dict[str, rsa.RSAPublicKey]: ...

    async def aclose(self) -> None: ...


class _HttpLoader:
    def __init__(self, url: str, session: aiohttp.ClientSession | None, timeout: float) -> None:
        self._url = url
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def load(self) -> dict[str, rsa.RSAPublicKey]:
        if self._session is None:
            # Created here rather than in __init__: aiohttp wants a running loop.
            self._session = aiohttp.ClientSession()
        try:
            # No redirects: the configured URL is the trust anchor, nowhere else.
            async with self._session.get(
                self._url, timeout=self._timeout, allow_redirects=False
            ) as response:
                if response.status != 200:
                    raise JwksUnavailable(f"JWKS answered HTTP {response.status}")
                body = await response.content.read(_MAX_DOCUMENT_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise JwksUnavailable("JWKS request failed") from exc
        if len(body) > _MAX_DOCUMENT_BYTES:
            raise JwksUnavailable("JWKS document is too large")
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise JwksUnavailable("JWKS document is not JSON") from exc
        return parse_jwks(document)

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None


class _KeyRingLoader:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def load(self) -> dict[str, rsa.RSAPublicKey]:
        # Re-read the directory so a rotation by another process (the CLI) is picked up;
        # file reads go to a thread to keep the event loop free.
        keyring = await asyncio.to_thread(KeyRing.load, self._directory)
        return keyring.verification_keys()

    async def aclose(self) -> None:
        return None


class JwksCache:
    """Public keys by kid for verifiers, refreshed from the platform's JWKS or a local key ring."""

    def __init__(
        self,
        url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        min_refresh_interval: float = 30.0,
        max_age: float = 300.0,
        timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._init(_HttpLoader(url, session, timeout), {}, min_refresh_interval, max_age, clock)

    @classmethod
    def from_keyring(
        cls,
        keyring: KeyRing,
        *,
        min_refresh_interval: float = 30.0,
        max_age: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> "JwksCache":
        """A cache seeded from a local key ring that refreshes by re-reading its directory."""
        cache = cls.__new__(cls)
        loader = _KeyRingLoader(keyring.directory)
        cache._init(loader, keyring.verification_keys(), min_refresh_interval, max_age, clock)
        cache._fetched_at = clock()
        return cache

    def _init(
        self,
        loader: _Loader,
        keys: Mapping[str, rsa.RSAPublicKey],
        min_refresh_interval: float,
        max_age: float,
        clock: Callable[[], float],
    ) -> None:
        self._loader = loader
        self._keys: dict[str, rsa.RSAPublicKey] = dict(keys)
        self._min_refresh_interval = min_refresh_interval
        self._max_age = max_age
        self._clock = clock
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self._retrying: asyncio.Task[None] | None = None

    @property
    def kids(self) -> frozenset[str]:
        """The kids currently cached."""
        return frozenset(self._keys)

    @property
    def has_keys(self) -> bool:
        """Whether any key is held (a service without one cannot accept any token)."""
        return bool(self._keys)

    def keep_trying(self, *, first_delay: float = 0.2, max_delay: float = 5.0) -> None:
        """Fetch in the background, backing off, until keys arrive (a failed start-up fetch).

        A service that starts before the platform would otherwise refuse every token until some
        token happens to trigger a refresh outside the rate limit.
        """
        if self._keys or (self._retrying is not None and not self._retrying.done()):
            return
        self._retrying = asyncio.get_running_loop().create_task(
            self._retry_until_keys(first_delay, max_delay)
        )

    async def _retry_until_keys(self, delay: float, max_delay: float) -> None:
        while not self._keys:
            await asyncio.sleep(delay)
            async with self._lock:
                if not self._keys:
                    await self._refresh()
            delay = min(max_delay, delay * 2)

    async def get_key(self, kid: str) -> rsa.RSAPublicKey | None:
        """The public key for `kid`, refreshing once (rate-limited) when it is unknown."""
        key = self._keys.get(kid)
        if key is not None:
            if self._clock() - self._fetched_at > self._max_age:
                self._refresh_in_background()
            return key
        async with self._lock:
            # Another caller may have refreshed while this one waited for the lock.
            if kid not in self._keys and self._may_attempt():
                await self._refresh()
        return self._keys.get(kid)

    async def refresh(self) -> bool:
        """Fetch now, ignoring the rate limit; returns whether the fetch succeeded."""
        async with self._lock:
            return await self._refresh()

    async def wait_for_background_refresh(self) -> None:
        """Wait until a background refresh in flight, if any, has finished."""
        if self._background is not None:
            await asyncio.shield(self._background)

    async def aclose(self) -> None:
        """Stop background refreshes and close the HTTP session this cache opened."""
        for task in (self._background, self._retrying):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._background = self._retrying = None
        await self._loader.aclose()

    def _may_attempt(self) -> bool:
        # Holding no key at all refuses every token: then a short interval is the right one.
        interval = self._min_refresh_interval if self._keys else _NO_KEYS_INTERVAL_S
        return self._clock() - self._attempted_at >= interval

    def _refresh_in_background(self) -> None:
        if self._background is not None and not self._background.done():
            return
        if not self._may_attempt():
            return
        self._background = asyncio.get_running_loop().create_task(self._refresh_if_allowed())

    async def _refresh_if_allowed(self) -> None:
        async with self._lock:
            if self._may_attempt():
                await self._refresh()

    async def _refresh(self) -> bool:
        self._attempted_at = self._clock()
        try:
            keys = await self._loader.load()
            if not keys:
                # An empty set is never legitimate and would refuse every token: keep ours.
                raise JwksUnavailable("JWKS holds no usable RS256 key")
        except (JwksUnavailable, KeyRingError, OSError) as exc:
            logger.warning("JWKS refresh failed, serving %d cached keys: %s", len(self._keys), exc)
            return False
        self._keys = keys
        self._fetched_at = self._attempted_at
        return True
