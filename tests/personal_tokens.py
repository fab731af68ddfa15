"""Personal access tokens written straight into the database, for tests of the doors that read them.

The platform's own routes create tokens in the end-to-end tests; tests of the gateway against stub
upstreams have no platform, so they insert the row the same way the platform does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import asyncpg

from sp404.core.db import tenant_tx
from sp404.tokens.personal import DISPLAY_LENGTH, hash_personal_token, new_personal_token
from sp404.tokens.scopes import SCOPES

_INSERT = """
insert into app.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at)
values ($1, $2, $3, $4, $5, $6)
"""


async def insert_personal_token(
    pool: asyncpg.Pool,
    user_id: uuid.UUID,
    *,
    scopes: Iterable[str] = SCOPES,
    expires_at: dt.datetime | None = None,
    name: str = "test script",
) -> str:
    """A working personal token of `user_id`; returns the secret."""
    token = new_personal_token()
    async with tenant_tx(pool, user_id) as conn:
        await conn.execute(
            _INSERT,
            user_id,
            name,
            token[:DISPLAY_LENGTH],
            hash_personal_token(token),
            list(scopes),
            expires_at,
        )
    return token
