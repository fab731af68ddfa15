"""The samples of a collection: put there by hand, or, for a smart one, chosen by its rules."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from analysis_engine.collections.access import collections_tx, require_collection
from analysis_engine.collections.errors import NotAMember, SmartCollectionMembers
from analysis_engine.collections.queries import SQL
from analysis_engine.collections.rules import SmartRules, query_args
from analysis_engine.context import Engine
from analysis_engine.music import spell_key
from sp404.core.audit import Hidden

MEMBER_FIELDS = (
    "id",
    "title",
    "filename",
    "format",
    "genre",
    "tags",
    "bpm",
    "musical_key",
    "is_loop",
    "status",
    "created_at",
    "tempo_confidence",
    "key_confidence",
    "added_at",
)


def member_view(row: asyncpg.Record) -> dict[str, Any]:
    """A sample as a collection lists it (`duration` is the PRD's name for duration_s)."""
    view = {name: row[name] for name in MEMBER_FIELDS}
    view["musical_key"] = spell_key(row["musical_key"])
    view["duration"] = row["duration_s"]
    return view


async def _smart_rows(
    conn: asyncpg.Connection, rules: SmartRules, limit: int, offset: int
) -> list[asyncpg.Record]:
    return list(await conn.fetch(SQL["smart_members"], *query_args(rules), limit, offset))


async def _page(
    conn: asyncpg.Connection, collection: asyncpg.Record, limit: int, offset: int
) -> list[asyncpg.Record]:
    if collection["smart_rules"] is None:
        return list(await conn.fetch(SQL["manual_members"], collection["id"], limit, offset))
    return await _smart_rows(
        conn, SmartRules.model_validate(collection["smart_rules"]), limit, offset
    )


async def member_page(
    conn: asyncpg.Connection, collection: asyncpg.Record, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of a collection's samples and how many it has in all."""
    rows = await _page(conn, collection, limit, offset)
    if rows:
        return [member_view(r) for r in rows], int(rows[0]["total"])
    # Past the last page the window count is gone; the first row of the same query has it.
    return [], await member_count(conn, collection)


async def member_count(conn: asyncpg.Connection, collection: asyncpg.Record) -> int:
    """How many samples a collection has (evaluating the rules of a smart one)."""
    first = await _page(conn, collection, 1, 0)
    return int(first[0]["total"]) if first else 0


async def rules_page(
    conn: asyncpg.Connection, rules: SmartRules, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the caller's samples that `rules` select now, and how many they select:
    the very query a smart collection with these rules answers with."""
    rows = await _smart_rows(conn, rules, limit, offset)
    if rows:
        return [member_view(r) for r in rows], int(rows[0]["total"])
    first = await _smart_rows(conn, rules, 1, 0)
    return [], int(first[0]["total"]) if first else 0


async def add_samples(
    ctx: Engine, *, user_id: uuid.UUID, collection_id: uuid.UUID, sample_ids: list[uuid.UUID]
) -> dict[str, Any]:
    """Add the caller's samples to a hand-made collection: all of them, or none."""
    wanted = list(dict.fromkeys(sample_ids))
    async with collections_tx(ctx, user_id) as conn:
        collection = await require_collection(conn, collection_id, lock=True)
        if collection["smart_rules"] is not None:
            raise SmartCollectionMembers()
        owned = {r["id"] for r in await conn.fetch(SQL["visible_samples"], wanted)}
        missing = [s for s in wanted if s not in owned]
        if missing:
            raise Hidden("sample", missing[0])
        added = await conn.fetch(SQL["add_members"], user_id, collection_id, wanted)
        total = await member_count(conn, collection)
    return {
        "collection_id": collection_id,
        "added": len(added),
        "already_present": len(wanted) - len(added),
        "sample_count": total,
    }


async def remove_sample(
    ctx: Engine, *, user_id: uuid.UUID, collection_id: uuid.UUID, sample_id: uuid.UUID
) -> None:
    """Take a sample out of a hand-made collection; the sample stays in the library."""
    async with collections_tx(ctx, user_id) as conn:
        collection = await require_collection(conn, collection_id, lock=True)
        if collection["smart_rules"] is not None:
            raise SmartCollectionMembers()
        if await conn.fetchval(SQL["remove_member"], collection_id, sample_id) is not None:
            return
        if not await conn.fetchval(SQL["sample_exists"], sample_id):
            raise Hidden("sample", sample_id)
    raise NotAMember()
