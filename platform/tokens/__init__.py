"""Signing keys, JWKS, access-token issue, verification and revocation for every service."""

from tokens.claims import Claims
from tokens.errors import InvalidToken, KeyRingError, RevocationUnavailable, TokensError
from tokens.issue import hash_opaque_token, issue_access_token, new_opaque_token
from tokens.jwks import JwksCache, JwksUnavailable, build_jwks
from tokens.keys import KeyRing, generate, prune, rotate
from tokens.revocation import RevocationStore
from tokens.verify import AccessTokenVerifier

__all__ = [
    "AccessTokenVerifier",
    "Claims",
    "InvalidToken",
    "JwksCache",
    "JwksUnavailable",
    "KeyRing",
    "KeyRingError",
    "RevocationStore",
    "RevocationUnavailable",
    "TokensError",
    "build_jwks",
    "generate",
    "hash_opaque_token",
    "issue_access_token",
    "new_opaque_token",
    "prune",
    "rotate",
]
