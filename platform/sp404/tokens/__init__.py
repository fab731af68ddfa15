"""Signing keys, JWKS, access-token issue, verification and revocation for every service."""

from sp404.tokens.claims import Claims
from sp404.tokens.errors import InvalidToken, KeyRingError, RevocationUnavailable, TokensError
from sp404.tokens.issue import hash_opaque_token, issue_access_token, new_opaque_token
from sp404.tokens.jwks import JwksCache, JwksUnavailable, build_jwks
from sp404.tokens.keys import KeyRing, generate, prune, rotate
from sp404.tokens.openapi import SESSION_BEARER, describe_personal_tokens
from sp404.tokens.personal import (
    DISPLAY_LENGTH,
    PersonalTokenResolver,
    bearer_claims,
    hash_personal_token,
    new_personal_token,
    token_jti,
)
from sp404.tokens.revocation import RevocationStore
from sp404.tokens.scopes import enforce_scope
from sp404.tokens.service_verifier import platform_verifier, start_verifier
from sp404.tokens.verify import AccessTokenVerifier

# `keys` is the signing-key ring on disk (generate, rotate, prune), used by `sp404 keys`.
__all__ = [
    "DISPLAY_LENGTH",
    "SESSION_BEARER",
    "AccessTokenVerifier",
    "Claims",
    "InvalidToken",
    "JwksCache",
    "JwksUnavailable",
    "KeyRing",
    "KeyRingError",
    "PersonalTokenResolver",
    "RevocationStore",
    "RevocationUnavailable",
    "TokensError",
    "bearer_claims",
    "build_jwks",
    "describe_personal_tokens",
    "enforce_scope",
    "generate",
    "hash_opaque_token",
    "hash_personal_token",
    "issue_access_token",
    "keys",
    "new_opaque_token",
    "new_personal_token",
    "platform_verifier",
    "prune",
    "rotate",
    "start_verifier",
    "token_jti",
]
