"""The way into a producer's kits: a tenant transaction in which someone else's kit or sample is
a 404 with an audit entry, exactly like a missing one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

import asyncpg

from analysis_engine.context import Engine
from analysis_engine.kits.queries import SQL
from sp404.core.audit import Hidden, owner_tx


def kits_tx(ctx: Engine, user_id: uuid.UUID) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """A tenant transaction in which raising Hidden rolls back and answers an audited 404."""
    return owner_tx(ctx.pool, user_id)


async def require_kit(
    conn: asyncpg.Connection, kit_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record:
    """The caller's kit (locked until commit with `lock`); Hidden when not theirs."""
    row: asyncpg.Record | None = await conn.fetchrow(
        SQL["lock_kit" if lock else "fetch_kit"], kit_id
    )
    if row is None:
        raise Hidden("kit", kit_id)
    return row


async def require_samples(conn: asyncpg.Connection, sample_ids: Sequence[uuid.UUID]) -> None:
    """Hidden for the first id that is not one of the caller's samples."""
    wanted = list(dict.fromkeys(sample_ids))
    owned = {row["id"] for row in await conn.fetch(SQL["visible_samples"], wanted)}
    for sample_id in wanted:
        if sample_id not in owned:
            raise Hidden("sample", sample_id)
