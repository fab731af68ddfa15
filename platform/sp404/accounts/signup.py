"""Sign-up and e-mail verification."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg

from sp404.accounts import throttle
from sp404.accounts.context import Accounts
from sp404.accounts.emails import normalize_email
from sp404.accounts.errors import EmailTaken, InvalidLinkToken
from sp404.accounts.outbox import enqueue_mail, link, verification_mail
from sp404.accounts.passwords import check_password_rules, hash_password
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.tokens import hash_opaque_token, new_opaque_token

SQL = load_queries(Path(__file__).with_name("queries.sql"))
VERIFY_TTL_S = 24 * 3600
REGISTERED = "Registration successful. Please verify your email."
RESENT = "If that address has an unverified account, we sent a new link."


async def register(
    ctx: Accounts, *, email: str, password: str, first_name: str, last_name: str, ip: str | None
) -> uuid.UUID:
    """Create an unverified account and queue its verification mail.

    A taken e-mail gets the same answer, the same hashing work and a fresh-looking id, so the
    endpoint cannot be used to find out who has an account; the owner of the address is told
    instead.
    """
    check_password_rules(password)
    await throttle.enforce_and_count(ctx.redis, throttle.REGISTER_PER_IP, ip or "unknown")
    normalized = normalize_email(email)
    password_hash = await hash_password(password)
    user_id = uuid.uuid4()
    try:
        async with tenant_tx(ctx.pool, user_id) as conn:
            await conn.execute(
                SQL["insert_user"],
                user_id,
                email.strip(),
                normalized,
                password_hash,
                first_name,
                last_name,
            )
            await conn.execute(SQL["insert_defaults"], user_id)
            await _send_verification(ctx, conn, user_id, email.strip(), first_name)
            await write_audit(conn, action="signup", user_id=user_id, ip=ip)
    except EmailTaken:
        await _tell_owner_of_taken_address(ctx, normalized, ip)
    return user_id


async def _send_verification(
    ctx: Accounts, conn: asyncpg.Connection, user_id: uuid.UUID, email: str, name: str | None
) -> None:
    token = new_opaque_token()
    await conn.execute(
        SQL["insert_email_token"], user_id, "verify", hash_opaque_token(token), VERIFY_TTL_S
    )
    url = link(ctx.settings.public_url, "/verify-email", token=token)
    subject, body = verification_mail(name, url)
    await enqueue_mail(conn, user_id=user_id, kind="verify", to=email, subject=subject, body=body)


async def _tell_owner_of_taken_address(ctx: Accounts, normalized: str, ip: str | None) -> None:
    async with tenant_tx(ctx.pool, None) as conn:
        owner = await conn.fetchval(SQL["user_id_for_email"], normalized)
    if owner is None:
        return
    async with tenant_tx(ctx.pool, owner) as conn:
        me = await conn.fetchrow(SQL["fetch_me"])
        await enqueue_mail(
            conn,
            user_id=owner,
            kind="signup_existing",
            to=me["email"],
            subject="Someone tried to sign up with your e-mail",
            body="Someone tried to create an SP-404 Sample Cloud account with your address.\n"
            "You already have one: sign in, or reset your password if you forgot it.\n",
        )
        await write_audit(conn, action="signup.duplicate", user_id=owner, ip=ip)


async def verify_email(ctx: Accounts, *, token: str, ip: str | None) -> uuid.UUID:
    """Consume a verification link token and mark its account verified."""
    await throttle.enforce_and_count(ctx.redis, throttle.VERIFY_PER_IP, ip or "unknown")
    async with tenant_tx(ctx.pool, None) as conn:
        user_id = await conn.fetchval(
            SQL["consume_email_token"], hash_opaque_token(token), "verify"
        )
    if user_id is None:
        raise InvalidLinkToken()
    async with tenant_tx(ctx.pool, user_id) as conn:
        await conn.fetchval(SQL["mark_verified"])
        await write_audit(conn, action="email.verified", user_id=user_id, ip=ip)
    return uuid.UUID(str(user_id))


async def request_verification(ctx: Accounts, *, email: str) -> str:
    """Count a resend request for `email` (429 past the limit); returns the address to mail.

    Nothing here depends on whether the account exists. The lookup and the mail come after the
    answer (resend_verification), so the answer takes as long for a stranger's address as a user's.
    """
    normalized = normalize_email(email)
    await throttle.enforce_and_count(ctx.redis, throttle.MAIL_PER_ADDRESS, f"verify:{normalized}")
    return normalized


async def resend_verification(ctx: Accounts, *, normalized: str) -> None:
    """Send a new verification link to an unverified account; silent for anything else."""
    async with tenant_tx(ctx.pool, None) as conn:
        user_id = await conn.fetchval(SQL["user_id_for_email"], normalized)
    if user_id is None:
        return
    async with tenant_tx(ctx.pool, user_id) as conn:
        me = await conn.fetchrow(SQL["fetch_me"])
        if me["email_verified_at"] is not None:
            return
        await _send_verification(ctx, conn, user_id, me["email"], me["first_name"])
