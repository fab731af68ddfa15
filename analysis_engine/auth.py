"""Who is calling the engine: the bearer credential, verified here again.

The gateway forwards the caller's credential together with X-User-ID / X-User-Tier. The engine
does not trust those headers: it verifies a session token itself with the same verifier module
(keys from the platform's JWKS, Redis revocation), and a personal access token through the same
resolver and scope table the gateway uses, so reaching the engine directly, past the gateway,
gains nothing. A forwarded X-User-ID that disagrees with the credential is refused outright.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from sp404.core.errors import Unauthorized
from sp404.tokens import AccessTokenVerifier, InvalidToken
from sp404.tokens.openapi import SESSION_BEARER
from sp404.tokens.personal import PersonalTokenResolver, bearer_claims
from sp404.tokens.scopes import enforce_scope


class InvalidAccessToken(Unauthorized):
    """The access token is missing, invalid, expired or revoked."""

    code = "invalid_token"


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    email: str
    token_tier: str


async def current_caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(SESSION_BEARER)],
) -> Caller:
    """The verified caller of this request; 401 otherwise."""
    token = bearer.credentials.strip() if bearer is not None else ""
    if not token:
        raise InvalidAccessToken("Sign in first: this needs an access token.")
    try:
        verifier: AccessTokenVerifier = request.app.state.verifier
        resolver: PersonalTokenResolver = request.app.state.personal_tokens
        claims = await bearer_claims(token, verifier, resolver)
    except InvalidToken as exc:
        raise InvalidAccessToken(exc.message) from exc
    enforce_scope(claims, request.method, request.url.path)
    forwarded = request.headers.get("x-user-id")
    if forwarded is not None and forwarded != claims.user_id:
        raise InvalidAccessToken()
    request.scope.setdefault("state", {})["user_id"] = claims.user_id
    return Caller(uuid.UUID(claims.user_id), claims.email, claims.tier)


CallerDep = Annotated[Caller, Depends(current_caller)]
