"""Managing personal access tokens: create (shown once), list, revoke.

Only the signed-in web app reaches these (`tokens.scopes` closes them to personal tokens). The
format, hashing and request-time resolution live in `tokens.personal`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from pathlib import Path
from typing import Any

from sp404.accounts.context import Accounts
from sp404.core.audit import Hidden, owner_tx, write_audit
from sp404.core.db import tenant_tx
from sp404.core.errors import Conflict
from sp404.core.queries import load_queries
from sp404.tokens import Claims, RevocationUnavailable
from sp404.tokens.personal import (
    DISPLAY_LENGTH,
    PersonalTokenResolver,
    hash_personal_token,
    new_personal_token,
    token_jti,
)

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("accounts.personal_tokens")
# Enough for every script a producer runs; bounds the list and what a stolen session can mint.
MAX_LIVE_TOKENS = 50


class TokenLimitReached(Conflict):
    code = "token_limit_reached"


def _view(row: Any) -> dict[str, Any]:
    return {**dict(row), "scopes": list(row["scopes"])}


async def create_token(
    ctx: Accounts,
    *,
    claims: Claims,
    name: str,
    scopes: list[str],
    expires_in_days: int | None,
) -> dict[str, Any]:
    """A new token; the secret is in the answer and nowhere else."""
    token = new_personal_token()
    expires_at = (
        None
        if expires_in_days is None
        else dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days)
    )
    # Stable order, no repeats: the list shows what was granted, not how it was typed.
    granted = sorted(set(scopes))
    async with tenant_tx(ctx.pool, claims.user_id) as conn:
        # Serialises two creations by the same user, so the limit cannot be raced past.
        await conn.execute("select pg_advisory_xact_lock(hashtext($1))", f"pat:{claims.user_id}")
        if await conn.fetchval(SQL["count_live_personal_tokens"]) >= MAX_LIVE_TOKENS:
            raise TokenLimitReached(
                f"You have {MAX_LIVE_TOKENS} personal access tokens; revoke one to create another."
            )
        row = await conn.fetchrow(
            SQL["insert_personal_token"],
            uuid.UUID(claims.user_id),
            name,
            token[:DISPLAY_LENGTH],
            hash_personal_token(token),
            granted,
            expires_at,
        )
        await write_audit(
            conn,
            action="token.created",
            user_id=claims.user_id,
            target_type="personal_token",
            target_id=str(row["id"]),
            details={"scopes": granted},
        )
    return {**_view(row), "token": token}


async def list_tokens(ctx: Accounts, *, claims: Claims) -> list[dict[str, Any]]:
    """The caller's tokens that are not revoked (expired ones included, marked by expires_at)."""
    async with tenant_tx(ctx.pool, claims.user_id) as conn:
        rows = await conn.fetch(SQL["list_personal_tokens"])
    return [_view(r) for r in rows]


async def revoke_token(
    ctx: Accounts, resolver: PersonalTokenResolver, *, claims: Claims, token_id: uuid.UUID
) -> None:
    """Revoke one of the caller's tokens: refused on the very next request (404 for others')."""
    async with owner_tx(ctx.pool, claims.user_id) as conn:
        row = await conn.fetchrow(SQL["revoke_personal_token"], token_id)
        if row is not None:
            await write_audit(
                conn,
                action="token.revoked",
                user_id=claims.user_id,
                target_type="personal_token",
                target_id=str(token_id),
            )
        if row is None:
            raise Hidden("personal token", token_id)
    resolver.forget(str(token_id))
    # Other processes may hold the token's row for up to the cache time: the denylist entry
    # outlives that, and then their next read of the row finds it revoked.
    until = int(time.time() + resolver.cache_ttl_s + 60)
    try:
        await ctx.tokens.revocation.revoke_jti(token_jti(token_id), until, user_id=claims.user_id)
    except RevocationUnavailable:
        log.warning("token %s revoked in the database only: Redis is unreachable", token_id)
