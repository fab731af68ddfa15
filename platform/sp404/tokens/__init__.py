"""Signing keys, JWKS, access-token issue, verification and revocation for every service."""

from sp404.tokens.claims import Claims
from sp404.tokens.errors import InvalidToken, KeyRingError, RevocationUnavailable, TokensError
from sp404.tokens.issue import hash_opaque_token, issue_access_token, new_opaque_token
from sp404.tokens.jwks import JwksCache, JwksUnavailable, build_jwks
from sp404.tokens.keys import KeyRing, generate, prune, rotate
from sp404.tokens.revocation import RevocationStore
from sp404.tokens.service_verifier import platform_verifier, start_verifier
from sp404.tokens.verify import AccessTokenVerifier

# Modules other packages use by name, kept out of this import so that importing the package pulls
# in neither a web framework nor a database driver: `keys` (the signing-key ring on disk, for
# `sp404 keys`), `personal` (personal access tokens: resolver, bearer_claims), `scopes` (the scope
# table) and `openapi` (how the services document the bearer schemes).
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
    "keys",
    "new_opaque_token",
    "openapi",
    "personal",
    "platform_verifier",
    "prune",
    "rotate",
    "scopes",
    "start_verifier",
]
