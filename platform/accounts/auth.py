"""Request authentication for the platform's routes: the bearer access token, verified."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from accounts.errors import InvalidAccessToken
from accounts.token_service import TokenService
from tokens import Claims, InvalidToken


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_service(request: Request) -> TokenService:
    """The app's TokenService."""
    service: TokenService = request.app.state.tokens
    return service


async def current_claims(request: Request) -> Claims:
    """Claims of the caller's verified access token; 401 otherwise."""
    token = bearer_token(request)
    if token is None:
        raise InvalidAccessToken("Sign in first: this needs an access token.")
    try:
        claims = await token_service(request).verify(token)
    except InvalidToken as exc:
        raise InvalidAccessToken() from exc
    request.scope.setdefault("state", {})["user_id"] = claims.user_id
    return claims


CurrentClaims = Annotated[Claims, Depends(current_claims)]
Tokens = Annotated[TokenService, Depends(token_service)]
