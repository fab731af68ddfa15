"""Changing a password and resetting a forgotten one."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from pathlib import Path

import asyncpg

from sp404.accounts import throttle
from sp404.accounts.context import Accounts
from sp404.accounts.emails import normalize_email
from sp404.accounts.errors import InvalidCredentials, InvalidLinkToken
from sp404.accounts.outbox import enqueue_mail, link, password_changed_mail, reset_mail
from sp404.accounts.passwords import check_password_rules, hash_password, verify_password
from sp404.accounts.sessions import SignedIn, start_session
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.tokens import RevocationUnavailable, hash_opaque_token, new_opaque_token

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("accounts.credentials")
RESET_TTL_S = 30 * 60
RESET_REQUESTED = "If an account exists for that e-mail, we sent a link to reset its password."


def _next_second() -> int:
    # Tokens issued before this second are refused; the caller's replacement token is issued at
    # exactly this second, so it passes while everything older fails.
    return int(time.time()) + 1


async def _replace_password(conn: asyncpg.Connection, *, user_id: uuid.UUID, new_hash: str) -> int:
    """New hash, old tokens dead, reset links dead, every session ended, owner told.

    Returns the second from which tokens are valid again (for Redis and a replacement token).
    """
    valid_after = _next_second()
    cutoff = dt.datetime.fromtimestamp(valid_after, dt.UTC)
    await conn.execute(SQL["update_password_hash"], new_hash, cutoff)
    await conn.execute(SQL["discard_email_tokens"], "reset")
    await conn.fetch(SQL["revoke_all_families"], None, "password_changed")
    me = await conn.fetchrow(SQL["fetch_me"])
    subject, body = password_changed_mail()
    await enqueue_mail(
        conn, user_id=user_id, kind="password_changed", to=me["email"], subject=subject, body=body
    )
    return valid_after


async def _refuse_older_tokens(ctx: Accounts, user_id: uuid.UUID, valid_after: int) -> None:
    try:
        await ctx.tokens.revocation.set_valid_after(user_id, valid_after)
    except RevocationUnavailable:
        log.error("valid-after not stored in Redis", extra={"user": str(user_id)})


async def change_password(
    ctx: Accounts,
    *,
    user_id: uuid.UUID,
    current: str,
    new: str,
    ip: str | None,
    user_agent: str | None,
) -> SignedIn:
    """Change the password; every existing session and token ends, and the caller gets a new one."""
    check_password_rules(new)
    async with tenant_tx(ctx.pool, user_id) as conn:
        stored = (await conn.fetchrow(SQL["fetch_me"]))["password_hash"]
    if not await verify_password(stored, current):
        raise InvalidCredentials("The current password is incorrect.")
    new_hash = await hash_password(new)
    async with tenant_tx(ctx.pool, user_id) as conn:
        valid_after = await _replace_password(conn, user_id=user_id, new_hash=new_hash)
        signed_in = await start_session(
            ctx, conn, user_id=user_id, user_agent=user_agent, ip=ip, now=valid_after
        )
        await write_audit(conn, action="password.change", user_id=user_id, ip=ip)
    await _refuse_older_tokens(ctx, user_id, valid_after)
    return signed_in


async def request_reset(ctx: Accounts, *, email: str) -> str:
    """Count a reset request for `email` (429 past the limit); returns the address to mail.

    Nothing here depends on whether the account exists. The lookup and the mail come after the
    answer (mail_reset_link), so the answer takes as long for a stranger's address as a user's.
    """
    normalized = normalize_email(email)
    await throttle.enforce_and_count(ctx.redis, throttle.MAIL_PER_ADDRESS, f"reset:{normalized}")
    return normalized


async def mail_reset_link(ctx: Accounts, *, normalized: str, ip: str | None) -> None:
    """Queue a reset link when an account has this address; nothing otherwise."""
    async with tenant_tx(ctx.pool, None) as conn:
        user_id = await conn.fetchval(SQL["user_id_for_email"], normalized)
    if user_id is None:
        return
    token = new_opaque_token()
    async with tenant_tx(ctx.pool, user_id) as conn:
        me = await conn.fetchrow(SQL["fetch_me"])
        await conn.execute(
            SQL["insert_email_token"], user_id, "reset", hash_opaque_token(token), RESET_TTL_S
        )
        subject, body = reset_mail(link(ctx.settings.public_url, "/reset-password", token=token))
        await enqueue_mail(
            conn, user_id=user_id, kind="reset", to=me["email"], subject=subject, body=body
        )
        await write_audit(conn, action="password.reset_requested", user_id=user_id, ip=ip)


async def reset_password(ctx: Accounts, *, token: str, password: str, ip: str | None) -> None:
    """Set a new password from a reset link; all sessions end and nobody is signed in."""
    check_password_rules(password)  # before consuming, so a weak choice keeps the link alive
    new_hash = await hash_password(password)
    async with tenant_tx(ctx.pool, None) as conn:
        user_id = await conn.fetchval(SQL["consume_email_token"], hash_opaque_token(token), "reset")
    if user_id is None:
        raise InvalidLinkToken()
    async with tenant_tx(ctx.pool, user_id) as conn:
        valid_after = await _replace_password(conn, user_id=user_id, new_hash=new_hash)
        # Following the link proved the address is theirs.
        await conn.fetchval(SQL["mark_verified"])
        email = (await conn.fetchrow(SQL["fetch_me"]))["email"]
        await write_audit(conn, action="password.reset", user_id=user_id, ip=ip)
    await _refuse_older_tokens(ctx, user_id, valid_after)
    # A reset is how a producer gets back in after a spread-out guessing attack locked the
    # account, and it ends every session that could have let them past that lock: without
    # forgetting the account's failures, the new password would not open it for up to 15
    # minutes. The guessers' own addresses stay locked (their per-address counts stay).
    normalized = normalize_email(email)
    await throttle.reset(ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT, normalized)
    await throttle.reset(
        ctx.redis, throttle.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS, f"{ip or 'unknown'} {normalized}"
    )
