"""HTTP routes of accounts: /api/auth/*, /api/account/* and /.well-known/jwks.json."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from sp404.accounts import credentials, data_rights, personal_tokens, profile, sessions, signup
from sp404.accounts.auth import CurrentClaims, PersonalTokens, Tokens
from sp404.accounts.context import AccountsDep
from sp404.accounts.errors import InvalidRefreshToken
from sp404.accounts.schemas import (
    AVATAR_OPENAPI,
    AVATAR_UPLOAD_OPENAPI,
    DATA_EXPORT_OPENAPI,
    DeleteAccountIn,
    EmailIn,
    ExportOut,
    JwksOut,
    LoginIn,
    LoginOut,
    LogoutIn,
    MessageOut,
    PasswordChangeIn,
    PasswordResetIn,
    PersonalTokenCreatedOut,
    PersonalTokenIn,
    PersonalTokensOut,
    PreferencesIn,
    PreferencesOut,
    ProfileIn,
    ProfileOut,
    RefreshIn,
    RefreshOut,
    RegisterIn,
    RegisterOut,
    SessionsOut,
    TokenIn,
    VerifiedOut,
)
from sp404.core.errors import NotFound
from sp404.core.settings import TokensSection

router = APIRouter()
log = logging.getLogger("accounts.routes")
REFRESH_COOKIE = "sp404_refresh"


def client_ip(request: Request) -> str | None:
    """The client's address as the gateway resolved it (its signed X-Client-IP)."""
    # Only RequireGateway writes it, after checking the gateway's signature over it.
    resolved: str | None = request.scope.get("state", {}).get("client_ip")
    return resolved


async def _after_answer(work: Callable[..., Awaitable[None]], **kwargs: Any) -> None:
    """Run work the client does not wait for; its failure is logged (the answer has gone)."""
    # Begun 50-250 ms after the answer: on a busy machine the work's CPU would otherwise slow
    # the delivery of the very answer it follows, and show in the caller's timing after all.
    await asyncio.sleep((50 + secrets.randbelow(200)) / 1000)
    try:
        await work(**kwargs)
    except Exception:
        log.exception("work after the answer failed", extra={"work": work.__qualname__})


def _signed_in_body(result: sessions.SignedIn) -> dict[str, Any]:
    return {
        "token": result.access_token,
        "refresh_token": result.refresh_token,
        "token_type": "Bearer",
        "expires_in": result.expires_in,
        "user": {"id": result.user_id, "email": result.email, "tier": result.tier},
    }


def _set_refresh_cookie(response: Response, token: str, settings: TokensSection) -> None:
    # For the web app: the refresh token never has to live in JavaScript-readable storage.
    secure = settings.public_url.startswith("https://") or settings.environment == "production"
    response.set_cookie(
        REFRESH_COOKIE,
        token,
        max_age=settings.refresh_token_ttl_s,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/api/auth",
    )


@router.get("/.well-known/jwks.json", response_model=JwksOut, tags=["auth"])
async def jwks(tokens: Tokens) -> JSONResponse:
    """Public keys that verify access tokens."""
    return JSONResponse(tokens.jwks(), headers={"Cache-Control": "public, max-age=60"})


@router.post("/api/auth/register", status_code=201, response_model=RegisterOut, tags=["auth"])
async def register(body: RegisterIn, request: Request, ctx: AccountsDep) -> dict[str, Any]:
    """Create an account; a verification link is e-mailed."""
    user_id = await signup.register(
        ctx,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        ip=client_ip(request),
    )
    return {
        "message": signup.REGISTERED,
        "user": {
            "id": user_id,
            "email": body.email,
            "first_name": body.first_name,
            "last_name": body.last_name,
        },
    }


@router.post("/api/auth/verify", response_model=VerifiedOut, tags=["auth"])
async def verify(
    body: TokenIn, request: Request, response: Response, ctx: AccountsDep
) -> dict[str, Any]:
    """Confirm an e-mail address with the token from the link, and sign in on this device."""
    ip = client_ip(request)
    user_id = await signup.verify_email(ctx, token=body.token, ip=ip)
    result = await sessions.sign_in_verified(
        ctx, user_id=user_id, ip=ip, user_agent=request.headers.get("user-agent")
    )
    _set_refresh_cookie(response, result.refresh_token, ctx.settings)
    return {"message": "Email verified. You are signed in.", **_signed_in_body(result)}


@router.post("/api/auth/verify/resend", status_code=202, response_model=MessageOut, tags=["auth"])
async def resend(body: EmailIn, ctx: AccountsDep, later: BackgroundTasks) -> dict[str, str]:
    """Send a fresh verification link."""
    normalized = await signup.request_verification(ctx, email=body.email)
    # After the answer, so its timing cannot tell whether the address has an account.
    later.add_task(_after_answer, signup.resend_verification, ctx=ctx, normalized=normalized)
    return {"message": signup.RESENT}


@router.post("/api/auth/login", response_model=LoginOut, tags=["auth"])
async def login(
    body: LoginIn, request: Request, response: Response, ctx: AccountsDep
) -> dict[str, Any]:
    """Sign in: an access token (1 h) and a refresh token (7 days)."""
    result = await sessions.login(
        ctx,
        email=body.email,
        password=body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        refresh_token=request.cookies.get(REFRESH_COOKIE),
    )
    _set_refresh_cookie(response, result.refresh_token, ctx.settings)
    return _signed_in_body(result)


@router.post("/api/auth/refresh", response_model=RefreshOut, tags=["auth"])
async def refresh(
    request: Request, response: Response, ctx: AccountsDep, body: RefreshIn | None = None
) -> dict[str, Any]:
    """Trade a refresh token (body or cookie) for new tokens; the old one stops working."""
    token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise InvalidRefreshToken("Send the refresh token.")
    result = await sessions.refresh(ctx, refresh_token=token, ip=client_ip(request))
    _set_refresh_cookie(response, result.refresh_token, ctx.settings)
    body_out = _signed_in_body(result)
    del body_out["user"]
    return body_out


@router.post("/api/auth/logout", response_model=MessageOut, tags=["auth"])
async def logout(
    claims: CurrentClaims,
    request: Request,
    response: Response,
    ctx: AccountsDep,
    body: LogoutIn | None = None,
) -> dict[str, str]:
    """End this session; its tokens are refused from now on."""
    token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    await sessions.logout(ctx, claims=claims, refresh_token=token)
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    return {"message": "Logged out successfully"}


@router.get("/api/auth/sessions", response_model=SessionsOut, tags=["auth"])
async def list_sessions(claims: CurrentClaims, ctx: AccountsDep) -> dict[str, Any]:
    """Where you are signed in."""
    return {"sessions": await sessions.list_sessions(ctx, claims=claims)}


@router.delete("/api/auth/sessions/{session_id}", status_code=204, tags=["auth"])
async def revoke_session(
    session_id: uuid.UUID, claims: CurrentClaims, ctx: AccountsDep
) -> Response:
    """Sign one session out."""
    await sessions.revoke_session(ctx, claims=claims, session_id=session_id)
    return Response(status_code=204)


@router.post("/api/auth/sessions/revoke-others", response_model=MessageOut, tags=["auth"])
async def revoke_others(claims: CurrentClaims, ctx: AccountsDep) -> dict[str, str]:
    """Sign every other session out."""
    count = await sessions.revoke_other_sessions(ctx, claims=claims)
    return {"message": f"Signed out {count} other session(s)."}


@router.get("/api/account/tokens", response_model=PersonalTokensOut, tags=["account"])
async def list_personal_tokens(claims: CurrentClaims, ctx: AccountsDep) -> dict[str, Any]:
    """Your personal access tokens for scripts (never their secrets)."""
    tokens = await personal_tokens.list_tokens(ctx, claims=claims)
    return {"tokens": tokens, "total": len(tokens)}


@router.post(
    "/api/account/tokens",
    status_code=201,
    response_model=PersonalTokenCreatedOut,
    tags=["account"],
)
async def create_personal_token(
    body: PersonalTokenIn, claims: CurrentClaims, ctx: AccountsDep
) -> dict[str, Any]:
    """Create a personal access token; its secret is in this answer only."""
    return await personal_tokens.create_token(
        ctx,
        claims=claims,
        name=body.name,
        scopes=list(body.scopes),
        expires_in_days=body.expires_in_days,
    )


@router.delete("/api/account/tokens/{token_id}", status_code=204, tags=["account"])
async def revoke_personal_token(
    token_id: uuid.UUID, claims: CurrentClaims, ctx: AccountsDep, resolver: PersonalTokens
) -> Response:
    """Revoke a personal access token: refused from the next request on."""
    await personal_tokens.revoke_token(ctx, resolver, claims=claims, token_id=token_id)
    return Response(status_code=204)


@router.post("/api/auth/password/forgot", status_code=202, response_model=MessageOut, tags=["auth"])
async def forgot_password(
    body: EmailIn, request: Request, ctx: AccountsDep, later: BackgroundTasks
) -> dict[str, str]:
    """E-mail a password reset link (the answer is the same for unknown addresses)."""
    normalized = await credentials.request_reset(ctx, email=body.email)
    # After the answer, so its timing cannot tell whether the address has an account.
    later.add_task(
        _after_answer,
        credentials.mail_reset_link,
        ctx=ctx,
        normalized=normalized,
        ip=client_ip(request),
    )
    return {"message": credentials.RESET_REQUESTED}


@router.post("/api/auth/password/reset", response_model=MessageOut, tags=["auth"])
async def reset_password(
    body: PasswordResetIn, request: Request, ctx: AccountsDep
) -> dict[str, str]:
    """Choose a new password with the token from the reset link."""
    await credentials.reset_password(
        ctx, token=body.token, password=body.password, ip=client_ip(request)
    )
    return {"message": "Password changed. Sign in with your new password."}


@router.post("/api/account/password", response_model=LoginOut, tags=["account"])
async def change_password(
    body: PasswordChangeIn,
    claims: CurrentClaims,
    request: Request,
    response: Response,
    ctx: AccountsDep,
) -> dict[str, Any]:
    """Change your password; other sessions end and you get fresh tokens."""
    result = await credentials.change_password(
        ctx,
        user_id=uuid.UUID(claims.user_id),
        current=body.current_password,
        new=body.new_password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    _set_refresh_cookie(response, result.refresh_token, ctx.settings)
    return _signed_in_body(result)


@router.get("/api/account/profile", response_model=ProfileOut, tags=["account"])
async def get_profile(claims: CurrentClaims, ctx: AccountsDep) -> dict[str, Any]:
    """Your profile."""
    return await profile.get_profile(ctx, user_id=uuid.UUID(claims.user_id))


@router.patch("/api/account/profile", response_model=ProfileOut, tags=["account"])
async def update_profile(
    body: ProfileIn, claims: CurrentClaims, ctx: AccountsDep
) -> dict[str, Any]:
    """Change your name."""
    return await profile.update_profile(
        ctx, user_id=uuid.UUID(claims.user_id), first_name=body.first_name, last_name=body.last_name
    )


@router.put(
    "/api/account/avatar",
    response_model=ProfileOut,
    tags=["account"],
    openapi_extra=AVATAR_UPLOAD_OPENAPI,
)
async def put_avatar(request: Request, claims: CurrentClaims, ctx: AccountsDep) -> dict[str, Any]:
    """Upload a new avatar image (multipart field `avatar`)."""
    data = await profile.read_avatar(request.headers.get("content-type"), request.stream())
    return await profile.set_avatar(ctx, user_id=uuid.UUID(claims.user_id), data=data)


@router.get(
    "/api/account/avatar",
    response_class=StreamingResponse,
    responses=AVATAR_OPENAPI,
    tags=["account"],
)
async def get_avatar(claims: CurrentClaims, ctx: AccountsDep) -> StreamingResponse:
    """Your avatar image."""
    key = await profile.avatar_key(ctx, user_id=uuid.UUID(claims.user_id))
    info = await ctx.blobs.stat(key)
    if info is None:
        raise NotFound("No avatar yet.")
    return StreamingResponse(
        await ctx.blobs.open_read(key),
        media_type=info.content_type or "application/octet-stream",
        headers={
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Content-Length": str(info.size),
        },
    )


@router.delete("/api/account/avatar", status_code=204, tags=["account"])
async def delete_avatar(claims: CurrentClaims, ctx: AccountsDep) -> Response:
    """Remove your avatar."""
    await profile.remove_avatar(ctx, user_id=uuid.UUID(claims.user_id))
    return Response(status_code=204)


@router.get("/api/account/preferences", response_model=PreferencesOut, tags=["account"])
async def get_preferences(claims: CurrentClaims, ctx: AccountsDep) -> dict[str, Any]:
    """Your preferences."""
    return await profile.get_preferences(ctx, user_id=uuid.UUID(claims.user_id))


@router.patch("/api/account/preferences", response_model=PreferencesOut, tags=["account"])
async def update_preferences(
    body: PreferencesIn, claims: CurrentClaims, ctx: AccountsDep
) -> dict[str, Any]:
    """Change auto-analyse, the vibe model or e-mail notifications."""
    return await profile.update_preferences(
        ctx,
        user_id=uuid.UUID(claims.user_id),
        auto_analyze_enabled=body.auto_analyze_enabled,
        selected_model=body.selected_model,
        notification_email_enabled=body.notification_email_enabled,
    )


@router.post("/api/account/export", status_code=202, response_model=ExportOut, tags=["account"])
async def request_export(
    claims: CurrentClaims, request: Request, ctx: AccountsDep
) -> dict[str, Any]:
    """Start building a ZIP of all your data; you get an e-mail when it is ready."""
    return await data_rights.request_export(
        ctx, user_id=uuid.UUID(claims.user_id), ip=client_ip(request)
    )


@router.get("/api/account/exports/{export_id}", response_model=ExportOut, tags=["account"])
async def get_export(
    export_id: uuid.UUID, claims: CurrentClaims, ctx: AccountsDep
) -> dict[str, Any]:
    """The state of a data export."""
    row = await data_rights.get_export(ctx, user_id=uuid.UUID(claims.user_id), export_id=export_id)
    return data_rights.export_view(row, ctx.settings.public_url)


@router.get(
    "/api/account/exports/{export_id}/download",
    response_class=StreamingResponse,
    responses=DATA_EXPORT_OPENAPI,
    tags=["account"],
)
async def download_export(
    export_id: uuid.UUID, claims: CurrentClaims, ctx: AccountsDep
) -> StreamingResponse:
    """Download a finished data export."""
    row = await data_rights.get_export(ctx, user_id=uuid.UUID(claims.user_id), export_id=export_id)
    if row["status"] != "ready" or not row["blob_key"]:
        raise NotFound("This export is not ready.")
    return StreamingResponse(
        await ctx.blobs.open_read(row["blob_key"]),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="sp404-data-{export_id}.zip"',
            "Content-Length": str(row["size_bytes"]),
        },
    )


@router.delete("/api/account", response_model=MessageOut, tags=["account"])
async def delete_account(
    body: DeleteAccountIn,
    claims: CurrentClaims,
    request: Request,
    response: Response,
    ctx: AccountsDep,
) -> dict[str, str]:
    """Erase your account and all its data (re-enter your password)."""
    await data_rights.delete_account(
        ctx, user_id=uuid.UUID(claims.user_id), password=body.password, ip=client_ip(request)
    )
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    return {"message": "Your account and all its data were deleted."}
