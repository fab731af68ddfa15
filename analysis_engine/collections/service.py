"""Collections of a producer: create, list, open, change and delete them, nested and smart."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from analysis_engine.collections import quota
from analysis_engine.collections.access import collections_tx, require_collection
from analysis_engine.collections.errors import (
    MAX_DEPTH,
    CollectionCycle,
    CollectionNotEmpty,
    CollectionTooDeep,
)
from analysis_engine.collections.members import member_count, member_page, rules_page
from analysis_engine.collections.queries import SQL
from analysis_engine.collections.rules import SmartRules
from analysis_engine.collections.schemas import CollectionCreate, CollectionUpdate
from analysis_engine.context import Engine
from sp404.core.audit import Hidden

FIELDS = ("id", "parent_id", "name", "description", "smart_rules", "created_at", "updated_at")


def collection_view(row: asyncpg.Record, **extra: Any) -> dict[str, Any]:
    """A collection as the API shows it."""
    view = {name: row[name] for name in FIELDS}
    view["is_smart"] = row["smart_rules"] is not None
    view.update(extra)
    return view


async def _check_parent(
    conn: asyncpg.Connection, parent_id: uuid.UUID, *, moving: uuid.UUID | None = None
) -> list[asyncpg.Record]:
    """The path down to a would-be parent, once the tree allows `moving` (or a new leaf) there."""
    path = list(await conn.fetch(SQL["collection_path"], parent_id))
    if not path:
        raise Hidden("collection", parent_id)
    if moving is not None and any(step["id"] == moving for step in path):
        raise CollectionCycle()
    height = 1 if moving is None else int(await conn.fetchval(SQL["subtree_height"], moving))
    if len(path) + height > MAX_DEPTH:
        raise CollectionTooDeep()
    return path


async def create_collection(
    ctx: Engine, *, user_id: uuid.UUID, body: CollectionCreate
) -> tuple[dict[str, Any], str | None]:
    """A new collection, within the plan's limit; also the quota warning, if any."""
    rules = None if body.smart_rules is None else body.smart_rules.stored()
    async with collections_tx(ctx, user_id) as conn:
        usage = await quota.claim_collection(conn, user_id)
        depth = 1
        if body.parent_id is not None:
            depth += len(await _check_parent(conn, body.parent_id))
        row = await conn.fetchrow(
            SQL["insert_collection"],
            user_id,
            body.parent_id,
            body.name,
            body.description or None,
            rules,
        )
        count = await member_count(conn, row) if rules is not None else 0
    view = collection_view(row, depth=depth, child_count=0, sample_count=count)
    return view, usage.warning()


async def list_collections(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    parent_id: uuid.UUID | None,
    top_level: bool,
    limit: int,
    offset: int,
) -> tuple[dict[str, Any], str | None]:
    """A page of the caller's collections in tree order, with counts; also the quota warning."""
    args = (parent_id, top_level)
    async with collections_tx(ctx, user_id) as conn:
        if parent_id is not None:
            await require_collection(conn, parent_id)
        rows = await conn.fetch(SQL["list_collections"], *args, limit, offset)
        total = int(rows[0]["total"]) if rows else 0
        if not rows and offset:
            first = await conn.fetch(SQL["list_collections"], *args, 1, 0)
            total = int(first[0]["total"]) if first else 0
        views = []
        for row in rows:
            count = row["sample_count"]
            if count is None:
                count = await member_count(conn, row)
            extra = {"depth": row["depth"], "child_count": row["child_count"]}
            views.append(collection_view(row, sample_count=int(count), **extra))
        usage = await quota.usage(conn)
    page = {
        "collections": views,
        "total": total,
        "limit": limit,
        "offset": offset,
        "quota": {"used": usage.used, "limit": usage.limit},
    }
    return page, usage.warning()


async def preview_rules(
    ctx: Engine, *, user_id: uuid.UUID, rules: SmartRules, limit: int, offset: int
) -> dict[str, Any]:
    """A page of the samples a smart collection with these rules would hold now; nothing is
    created, so the plan's collection limit is neither checked nor used."""
    async with collections_tx(ctx, user_id) as conn:
        samples, total = await rules_page(conn, rules, limit=limit, offset=offset)
    return {
        "smart_rules": rules.stored(),
        "samples": samples,
        "total": total,
        "limit": limit,
        "offset": offset,
    }


async def get_collection(
    ctx: Engine, *, user_id: uuid.UUID, collection_id: uuid.UUID, limit: int, offset: int
) -> dict[str, Any]:
    """A collection with a page of its samples (a smart one's evaluated now)."""
    async with collections_tx(ctx, user_id) as conn:
        row = await require_collection(conn, collection_id)
        path = await conn.fetch(SQL["collection_path"], collection_id)
        children = await conn.fetchval(SQL["child_count"], collection_id)
        samples, total = await member_page(conn, row, limit=limit, offset=offset)
    return collection_view(
        row,
        depth=len(path),
        path=[{"id": step["id"], "name": step["name"]} for step in path],
        child_count=children,
        sample_count=total,
        samples=samples,
        total=total,
        limit=limit,
        offset=offset,
    )


async def update_collection(
    ctx: Engine, *, user_id: uuid.UUID, collection_id: uuid.UUID, changes: CollectionUpdate
) -> dict[str, Any]:
    """Rename, describe, move or re-rule a collection."""
    given = changes.model_fields_set
    async with collections_tx(ctx, user_id) as conn:
        if "parent_id" in given:
            # Moves of one user go one at a time, so two of them cannot close a cycle together.
            await quota.lock_tree(conn, user_id)
        row = await require_collection(conn, collection_id, lock=True)
        parent_id = row["parent_id"]
        if "parent_id" in given and changes.parent_id != parent_id:
            parent_id = changes.parent_id
            if parent_id is not None:
                await _check_parent(conn, parent_id, moving=collection_id)
        rules = row["smart_rules"]
        if "smart_rules" in given:
            if changes.smart_rules is None:
                rules = None
            else:
                if rules is None and await conn.fetchval(SQL["has_members"], collection_id):
                    raise CollectionNotEmpty()
                rules = changes.smart_rules.stored()
        updated = await conn.fetchrow(
            SQL["update_collection"],
            collection_id,
            changes.name if changes.name is not None else row["name"],
            (changes.description or None) if "description" in given else row["description"],
            parent_id,
            rules,
        )
        path = await conn.fetch(SQL["collection_path"], collection_id)
        children = await conn.fetchval(SQL["child_count"], collection_id)
        count = await member_count(conn, updated)
    return collection_view(updated, depth=len(path), child_count=children, sample_count=count)


async def delete_collection(ctx: Engine, *, user_id: uuid.UUID, collection_id: uuid.UUID) -> None:
    """Delete a collection and the ones inside it; their samples stay in the library."""
    async with collections_tx(ctx, user_id) as conn:
        if await conn.fetchval(SQL["delete_collection"], collection_id) is None:
            raise Hidden("collection", collection_id)


async def member_ids(
    ctx: Engine, *, user_id: uuid.UUID, collection_id: uuid.UUID, limit: int
) -> list[uuid.UUID]:
    """The ids of up to `limit` of a collection's samples (rules evaluated for a smart one)."""
    async with collections_tx(ctx, user_id) as conn:
        row = await require_collection(conn, collection_id)
        samples, _ = await member_page(conn, row, limit=limit, offset=0)
    return [sample["id"] for sample in samples]
