"""Request authentication for the platform's routes: the bearer access token, verified."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from sp404.accounts.errors import InvalidAccessToken
from sp404.accounts.token_service import TokenService
from sp404.tokens import Claims, InvalidToken
from sp404.tokens.openapi import SESSION_BEARER
from sp404.tokens.personal import PersonalTokenResolver, bearer_claims
from sp404.tokens.scopes import enforce_scope


def token_service(request: Request) -> TokenService:
    """The app's TokenService."""
    service: TokenService = request.app.state.tokens
    return service


def personal_token_resolver(request: Request) -> PersonalTokenResolver:
    """The app's PersonalTokenResolver."""
    resolver: PersonalTokenResolver = request.app.state.personal_tokens
    return resolver


async def current_claims(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(SESSION_BEARER)],
) -> Claims:
    """Claims of the caller's verified session or personal token; 401 or 403 otherwise."""
    token = bearer.credentials.strip() if bearer is not None else None
    if not token:
        raise InvalidAccessToken("Sign in first: this needs an access token.")
    try:
        claims = await bearer_claims(
            token, token_service(request), personal_token_resolver(request)
        )
    except InvalidToken as exc:
        raise InvalidAccessToken(exc.message) from exc
    # Most platform routes (tokens, password, e-mail, billing, deletion) refuse personal tokens.
    enforce_scope(claims, request.method, request.url.path)
    request.scope.setdefault("state", {})["user_id"] = claims.user_id
    return claims


CurrentClaims = Annotated[Claims, Depends(current_claims)]
Tokens = Annotated[TokenService, Depends(token_service)]
PersonalTokens = Annotated[PersonalTokenResolver, Depends(personal_token_resolver)]
