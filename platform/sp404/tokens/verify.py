"""The one place access tokens are verified, for the platform, the gateway and the engine.

Only RS256 is accepted, with the key the `kid` header names in the key source; headers that
point at keys (`jku`, `x5u`, `jwk`, `x5c`) are never read. Signature checks cost tens of
microseconds, so successful results are cached per token string in a bounded LRU until the
token's own expiry; revocation is still checked on every call, cached or not.
"""

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404.tokens._base64url import b64url_decode
from sp404.tokens.claims import Claims
from sp404.tokens.errors import InvalidToken
from sp404.tokens.issue import ACCESS_JWT_TYPE

_ALGORITHM = "RS256"
_REQUIRED = ["iss", "aud", "sub", "jti", "iat", "exp"]
# RFC 8725 section 3.11 allows the media type spelled out in full as well.
_ACCEPTED_TYPES = frozenset({ACCESS_JWT_TYPE, f"application/{ACCESS_JWT_TYPE}"})
# Our tokens are well under 1 KiB; refusing big inputs early bounds the work an attacker buys.
_MAX_TOKEN_LENGTH = 8192


class KeySource(Protocol):
    """Where a verifier finds the public key for a kid (JwksCache is the implementation)."""

    async def get_key(self, kid: str) -> rsa.RSAPublicKey | None: ...


class RevocationCheck(Protocol):
    """Something that raises InvalidToken('revoked') for revoked claims (RevocationStore)."""

    async def check(self, claims: Claims) -> None: ...


class AccessTokenVerifier:
    """Verifies access tokens and returns their claims, or raises InvalidToken."""

    def __init__(
        self,
        key_source: KeySource,
        *,
        issuer: str,
        audience: str,
        leeway: int = 30,
        revocation: RevocationCheck | None = None,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = key_source
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._revocation = revocation
        self._cache_size = cache_size
        self._cache: OrderedDict[str, Claims] = OrderedDict()
        self._clock = clock

    async def verify(self, token: str) -> Claims:
        """The claims of a valid, unexpired, unrevoked access token."""
        claims = self._cache.get(token)
        if claims is None:
            claims = await self._verify_signature_and_claims(token)
            self._remember(token, claims)
        elif claims.exp <= self._clock() - self._leeway:
            del self._cache[token]
            raise InvalidToken("expired")
        else:
            self._cache.move_to_end(token)
        if self._revocation is not None:
            await self._revocation.check(claims)
        return claims

    def clear_cache(self) -> None:
        """Forget cached verifications, e.g. after pulling a compromised key."""
        self._cache.clear()

    def _remember(self, token: str, claims: Claims) -> None:
        if self._cache_size <= 0:
            return
        self._cache[token] = claims
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _verify_signature_and_claims(self, token: str) -> Claims:
        header = _unverified_header(token)
        # Checked before any key lookup so junk never costs a JWKS refresh; PyJWT checks the
        # algorithm again from the same bytes, and the header is covered by the signature.
        if header.get("alg") != _ALGORITHM or header.get("typ") not in _ACCEPTED_TYPES:
            raise InvalidToken("invalid")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("invalid")
        key = await self._keys.get_key(kid)
        if key is None:
            raise InvalidToken("invalid")
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid") from exc
        return _claims_from(payload)


def _unverified_header(token: Any) -> Mapping[str, Any]:
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise InvalidToken("invalid")
    try:
        header = json.loads(b64url_decode(token[: token.index(".")]))
    # Bad base64, UTF-8 and JSON are ValueErrors; deeply nested JSON hits the recursion limit.
    except (ValueError, RecursionError) as exc:
        raise InvalidToken("invalid") from exc
    if not isinstance(header, dict):
        raise InvalidToken("invalid")
    return header


def _claims_from(payload: dict[str, Any]) -> Claims:
    # Typed Any on purpose: the checks below establish the types Claims declares.
    sub: Any = payload["sub"]
    jti: Any = payload["jti"]
    email: Any = payload.get("email")
    tier: Any = payload.get("tier")
    verified: Any = payload.get("verified")
    sid: Any = payload.get("sid")
    if not (
        _non_empty_str(sub)
        and _non_empty_str(jti)
        and isinstance(email, str)
        and _non_empty_str(tier)
        and isinstance(verified, bool)
        and (sid is None or _non_empty_str(sid))
        and _is_int(payload["iat"])
        and _is_int(payload["exp"])
    ):
        raise InvalidToken("invalid")
    return Claims(
        user_id=sub,
        email=email,
        tier=tier,
        verified=verified,
        jti=jti,
        exp=payload["exp"],
        iat=payload["iat"],
        sid=sid,
        raw=MappingProxyType(payload),
    )


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
