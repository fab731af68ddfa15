"""Who is calling the engine: the bearer access token, verified here again.

The gateway forwards the caller's token together with X-User-ID / X-User-Tier. The engine does not
trust those headers: it verifies the token itself with the same verifier module (keys from the
platform's JWKS, Redis revocation), so reaching the engine directly, past the gateway, gains
nothing. A forwarded X-User-ID that disagrees with the token is refused outright.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from tenancy.errors import Unauthorized
from tokens import AccessTokenVerifier, InvalidToken


class InvalidAccessToken(Unauthorized):
    """The access token is missing, invalid, expired or revoked."""

    code = "invalid_token"


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    email: str
    token_tier: str


async def current_caller(request: Request) -> Caller:
    """The verified caller of this request; 401 otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken("Sign in first: this needs an access token.")
    verifier: AccessTokenVerifier = request.app.state.verifier
    try:
        claims = await verifier.verify(token.strip())
    except InvalidToken as exc:
        raise InvalidAccessToken() from exc
    forwarded = request.headers.get("x-user-id")
    if forwarded is not None and forwarded != claims.user_id:
        raise InvalidAccessToken()
    request.scope.setdefault("state", {})["user_id"] = claims.user_id
    return Caller(uuid.UUID(claims.user_id), claims.email, claims.tier)


CallerDep = Annotated[Caller, Depends(current_caller)]
