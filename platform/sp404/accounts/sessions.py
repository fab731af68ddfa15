"""Signing in and staying signed in: login, refresh rotation, logout and the session list."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from sp404.accounts import throttle
from sp404.accounts.context import Accounts
from sp404.accounts.emails import normalize_email
from sp404.accounts.errors import (
    EmailNotVerified,
    InvalidCredentials,
    InvalidRefreshToken,
    LoginThrottled,
    PasswordCheckBusy,
)
from sp404.accounts.passwords import hash_password, needs_rehash, verify_password
from sp404.core.audit import Hidden, owner_tx, write_audit
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.tokens import Claims, RevocationUnavailable, hash_opaque_token, new_opaque_token

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("accounts.sessions")
# Two refreshes racing with the same token (two browser tabs) are not an attack: within this
# window the loser is refused but the session survives. Reuse after it revokes the session.
REUSE_GRACE = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class SignedIn:
    user_id: uuid.UUID
    email: str
    tier: str
    access_token: str
    refresh_token: str
    expires_in: int


async def start_session(
    ctx: Accounts,
    conn: asyncpg.Connection,
    *,
    user_id: uuid.UUID,
    user_agent: str | None,
    ip: str | None,
    now: int | None = None,
) -> SignedIn:
    """A new session (refresh family) with its first refresh token and an access token."""
    family_id = await conn.fetchval(SQL["insert_family"], user_id, (user_agent or "")[:300], ip)
    refresh = await _new_refresh_token(ctx, conn, user_id, family_id)
    me = await conn.fetchrow(SQL["fetch_me"])
    return _signed_in(ctx, me, family_id, refresh, now=now)


def _signed_in(
    ctx: Accounts, me: Any, family_id: uuid.UUID, refresh: str, *, now: int | None = None
) -> SignedIn:
    """The session's new access token, never issued before the user's "tokens valid after"
    cut-off: a sign-in in the second after a password reset must not be born revoked."""
    issued_at = max(now or int(time.time()), int(me["tokens_valid_after"].timestamp()))
    issued = ctx.tokens.issue(
        user_id=me["id"],
        email=me["email"],
        tier=me["tier"],
        verified=me["email_verified_at"] is not None,
        sid=family_id,
        now=issued_at,
    )
    return SignedIn(
        me["id"], me["email"], me["tier"], issued.token, refresh, ctx.settings.access_token_ttl_s
    )


async def _new_refresh_token(
    ctx: Accounts, conn: asyncpg.Connection, user_id: uuid.UUID, family_id: uuid.UUID
) -> str:
    token = new_opaque_token()
    await conn.execute(
        SQL["insert_refresh_token"],
        user_id,
        family_id,
        hash_opaque_token(token),
        ctx.settings.refresh_token_ttl_s,
    )
    return token


async def _rehash(stored: str, password: str) -> str | None:
    """A hash with today's parameters when `stored` is outdated, else None.

    Optional work: when the hashing threads are busy the sign-in goes ahead without it (the
    password was already checked) and the upgrade waits for the next sign-in.
    """
    if not needs_rehash(stored):
        return None
    try:
        return await hash_password(password)
    except PasswordCheckBusy:
        return None


async def _holds_live_session(
    ctx: Accounts, user_id: uuid.UUID | None, refresh_token: str | None
) -> bool:
    """Whether `refresh_token` is the current token of a live session of `user_id`."""
    if user_id is None or not refresh_token:
        return False
    async with tenant_tx(ctx.pool, None) as conn:
        found = await conn.fetchrow(SQL["find_refresh_token"], hash_opaque_token(refresh_token))
    return (
        found is not None
        and found["user_id"] == user_id
        and found["rotated_at"] is None
        and found["family_revoked_at"] is None
        and found["expires_at"] > dt.datetime.now(dt.UTC)
    )


async def login(
    ctx: Accounts,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    refresh_token: str | None = None,
) -> SignedIn:
    """Check credentials and open a session. Wrong e-mail and wrong password look the same.

    Failures lock this address out of this account (throttle.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS)
    and, after many more from anywhere, the account (LOGIN_FAILURES_PER_ACCOUNT) for every device
    except one that presents a live session's `refresh_token` of that account.
    """
    normalized = normalize_email(email)
    address = ip or "unknown"
    pair = f"{address} {normalized}"
    await throttle.enforce_and_count(ctx.redis, throttle.LOGIN_ATTEMPTS_PER_IP, address)
    await throttle.enforce(ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS, pair)
    account_wait = await throttle.retry_after(
        ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT, normalized
    )
    async with tenant_tx(ctx.pool, None) as conn:
        row = await conn.fetchrow(SQL["find_user_for_login"], normalized)
    if account_wait and not await _holds_live_session(
        ctx, None if row is None else row["id"], refresh_token
    ):
        raise LoginThrottled(retry_after=account_wait)
    stored = None if row is None else row["password_hash"]
    if not await verify_password(stored, password):
        await throttle.count(ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS, pair)
        await throttle.count(ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT, normalized)
        async with tenant_tx(ctx.pool, None if row is None else row["id"]) as conn:
            await write_audit(
                conn,
                action="login.failure",
                user_id=None if row is None else row["id"],
                ip=ip,
                details={"reason": "unknown_email" if row is None else "wrong_password"},
            )
        raise InvalidCredentials()
    assert row is not None
    if row["email_verified_at"] is None:
        raise EmailNotVerified()
    # Only this address's count: a success here must not hand a spread-out guesser a fresh
    # allowance on the account.
    await throttle.reset(ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS, pair)
    new_hash = await _rehash(row["password_hash"], password)
    async with tenant_tx(ctx.pool, row["id"]) as conn:
        if new_hash is not None:
            await conn.execute(SQL["update_password_hash"], new_hash, None)
        signed_in = await start_session(ctx, conn, user_id=row["id"], user_agent=user_agent, ip=ip)
        await write_audit(
            conn,
            action="login.success",
            user_id=row["id"],
            ip=ip,
            details={"rehashed": new_hash is not None},
        )
    return signed_in


async def sign_in_verified(
    ctx: Accounts, *, user_id: uuid.UUID, ip: str | None, user_agent: str | None
) -> SignedIn:
    """The session a verification link opens on the device that follows it.

    The link's single-use token (mailed to the address) has just been consumed: it proves the
    same as a password would, so the producer lands signed in instead of being asked again.
    """
    async with tenant_tx(ctx.pool, user_id) as conn:
        signed_in = await start_session(ctx, conn, user_id=user_id, user_agent=user_agent, ip=ip)
        await write_audit(
            conn,
            action="login.success",
            user_id=user_id,
            ip=ip,
            details={"via": "verification_link"},
        )
    return signed_in


async def refresh(ctx: Accounts, *, refresh_token: str, ip: str | None) -> SignedIn:
    """Rotate a refresh token: a new refresh token and access token for the same session."""
    token_hash = hash_opaque_token(refresh_token)
    async with tenant_tx(ctx.pool, None) as conn:
        found = await conn.fetchrow(SQL["find_refresh_token"], token_hash)
    now = dt.datetime.now(dt.UTC)
    if found is None or found["family_revoked_at"] is not None or found["expires_at"] <= now:
        raise InvalidRefreshToken()
    user_id, family_id = found["user_id"], found["family_id"]
    if found["rotated_at"] is not None:
        await _refuse_reuse(ctx, user_id, family_id, found["rotated_at"], now, ip)
    async with tenant_tx(ctx.pool, user_id) as conn:
        if await conn.fetchval(SQL["rotate_refresh_token"], found["id"]) is None:
            rotated = True  # a concurrent refresh won; handled below, outside this transaction
        else:
            rotated = False
            new_refresh = await _new_refresh_token(ctx, conn, user_id, family_id)
            await conn.execute(SQL["touch_family"], family_id)
            me = await conn.fetchrow(SQL["fetch_me"])
    if rotated:
        await _refuse_reuse(ctx, user_id, family_id, now, now, ip)
    return _signed_in(ctx, me, family_id, new_refresh)


async def _refuse_reuse(
    ctx: Accounts,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    rotated_at: dt.datetime,
    now: dt.datetime,
    ip: str | None,
) -> None:
    """A rotated token came back: a race within the grace window, or a stolen token."""
    if now - rotated_at > REUSE_GRACE:
        async with tenant_tx(ctx.pool, user_id) as conn:
            await conn.execute(SQL["revoke_family"], family_id, "refresh_token_reuse")
            await write_audit(
                conn,
                action="refresh.reuse",
                user_id=user_id,
                ip=ip,
                target_type="session",
                target_id=str(family_id),
            )
        await _revoke_session_tokens(ctx, family_id, user_id)
    raise InvalidRefreshToken()


async def _revoke_session_tokens(
    ctx: Accounts, family_id: uuid.UUID, user_id: uuid.UUID | str
) -> None:
    try:
        await ctx.tokens.revocation.revoke_session(family_id, user_id=user_id)
    except RevocationUnavailable:
        log.error("session revocation not stored in Redis", extra={"session": str(family_id)})


async def logout(ctx: Accounts, *, claims: Claims, refresh_token: str | None) -> None:
    """End the caller's session and refuse its access token from now on."""
    user_id = uuid.UUID(claims.user_id)
    families = {claims.sid} if claims.sid else set()
    if refresh_token:
        async with tenant_tx(ctx.pool, None) as conn:
            found = await conn.fetchrow(SQL["find_refresh_token"], hash_opaque_token(refresh_token))
        if found is not None and found["user_id"] == user_id:
            families.add(str(found["family_id"]))
    async with tenant_tx(ctx.pool, user_id) as conn:
        for family in families:
            await conn.execute(SQL["revoke_family"], uuid.UUID(family), "logout")
        await write_audit(conn, action="logout", user_id=user_id)
    try:
        await ctx.tokens.revocation.revoke_jti(claims.jti, claims.exp, user_id=user_id)
    except RevocationUnavailable:
        log.error("logout not stored in Redis", extra={"jti": claims.jti})
    for family in families:
        await _revoke_session_tokens(ctx, uuid.UUID(family), user_id)


async def list_sessions(ctx: Accounts, *, claims: Claims) -> list[dict[str, Any]]:
    """The caller's live sessions, marking the current one."""
    async with tenant_tx(ctx.pool, claims.user_id) as conn:
        rows = await conn.fetch(SQL["list_sessions"])
    return [{**dict(r), "current": str(r["id"]) == claims.sid} for r in rows]


async def revoke_session(ctx: Accounts, *, claims: Claims, session_id: uuid.UUID) -> None:
    """End one of the caller's sessions (404 for anyone else's)."""
    async with owner_tx(ctx.pool, claims.user_id) as conn:
        status = await conn.execute(SQL["revoke_family"], session_id, "revoked_by_user")
        if status == "UPDATE 0":
            raise Hidden("session", session_id)
    await _revoke_session_tokens(ctx, session_id, claims.user_id)


async def revoke_other_sessions(ctx: Accounts, *, claims: Claims) -> int:
    """End every session of the caller except the current one."""
    current = None if claims.sid is None else uuid.UUID(claims.sid)
    async with tenant_tx(ctx.pool, claims.user_id) as conn:
        rows = await conn.fetch(SQL["revoke_all_families"], current, "revoked_by_user")
    for row in rows:
        await _revoke_session_tokens(ctx, row["id"], claims.user_id)
    return len(rows)
