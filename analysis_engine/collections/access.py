"""The way into a producer's collections: a tenant transaction in which someone else's object
is a 404 with an audit entry, exactly like a missing one."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager

import asyncpg

from analysis_engine.collections.queries import SQL
from analysis_engine.context import Engine
from sp404.core.audit import Hidden, owner_tx


def collections_tx(
    ctx: Engine, user_id: uuid.UUID
) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """A tenant transaction in which raising Hidden rolls back and answers an audited 404."""
    return owner_tx(ctx.pool, user_id)


async def require_collection(
    conn: asyncpg.Connection, collection_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record:
    """The caller's collection (locked until commit with `lock`); Hidden when not theirs."""
    row: asyncpg.Record | None = await conn.fetchrow(
        SQL["lock_collection" if lock else "fetch_collection"], collection_id
    )
    if row is None:
        raise Hidden("collection", collection_id)
    return row
