"""Kits of a producer: create, list, open, change and delete them, and edit their pads."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from analysis_engine.context import Engine
from analysis_engine.kits.access import kits_tx, require_kit, require_samples
from analysis_engine.kits.errors import BadTrim, DuplicateKitName, PadEmpty, PadOccupied
from analysis_engine.kits.queries import SQL
from analysis_engine.kits.roles import role_of_pad
from analysis_engine.kits.schemas import (
    KitCreate,
    KitUpdate,
    PadAssign,
    PadClear,
    PadMove,
    PadRef,
    PadSwap,
)
from analysis_engine.music import camelot_of, spell_key

KIT_FIELDS = ("id", "name", "bpm", "musical_key", "description", "created_at", "updated_at")
PAD_SETTINGS = ("volume", "pitch", "gate", "loop", "one_shot", "mute_group")


def pad_view(row: asyncpg.Record) -> dict[str, Any]:
    """One assigned pad as the API shows it, with its role and a summary of its sample."""
    return {
        "bank": row["bank"],
        "pad": row["pad"],
        "label": f"{row['bank']}-{row['pad']:02d}",
        "role": role_of_pad(row["pad"]),
        "sample_id": row["sample_id"],
        **{name: row[name] for name in PAD_SETTINGS},
        "start": row["trim_start"],
        "end": row["trim_end"],
        "sample": {
            "id": row["sample_id"],
            "title": row["title"],
            "bpm": row["bpm"],
            "musical_key": spell_key(row["musical_key"]),
            "duration": row["duration_s"],
            "sample_rate": row["sample_rate"],
            "frames": row["frames"],
            "is_loop": row["is_loop"],
            "status": row["status"],
        },
    }


def kit_view(row: asyncpg.Record, pads: list[asyncpg.Record] | None = None) -> dict[str, Any]:
    """A kit as the API shows it (with its pads when given)."""
    view: dict[str, Any] = {name: row[name] for name in KIT_FIELDS}
    view["musical_key"] = spell_key(row["musical_key"])
    view["camelot"] = camelot_of(row["musical_key"])
    if pads is not None:
        view["pad_count"] = len(pads)
        view["pads"] = [pad_view(pad) for pad in pads]
    return view


async def load_kit(conn: asyncpg.Connection, kit_id: uuid.UUID) -> dict[str, Any]:
    """The kit with its pads as they stand now, read inside the caller's transaction."""
    kit = await require_kit(conn, kit_id)
    return kit_view(kit, list(await conn.fetch(SQL["kit_pads"], kit_id)))


async def create_kit(ctx: Engine, *, user_id: uuid.UUID, body: KitCreate) -> dict[str, Any]:
    """A new, empty kit (409 when the name is taken)."""
    async with kits_tx(ctx, user_id) as conn:
        row = await conn.fetchrow(
            SQL["insert_kit"],
            user_id,
            body.name,
            body.bpm,
            spell_key(body.musical_key),
            body.description,
        )
    return kit_view(row, [])


async def list_kits(ctx: Engine, *, user_id: uuid.UUID, limit: int, offset: int) -> dict[str, Any]:
    """A page of the caller's kits, most recently changed first."""
    async with kits_tx(ctx, user_id) as conn:
        rows = await conn.fetch(SQL["list_kits"], limit, offset)
        total = int(rows[0]["total"]) if rows else 0
        if not rows and offset:
            first = await conn.fetch(SQL["list_kits"], 1, 0)
            total = int(first[0]["total"]) if first else 0
    kits = [{**kit_view(row), "pad_count": row["pad_count"]} for row in rows]
    return {"kits": kits, "total": total, "limit": limit, "offset": offset}


async def get_kit(ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID) -> dict[str, Any]:
    """One kit with every assigned pad."""
    async with kits_tx(ctx, user_id) as conn:
        return await load_kit(conn, kit_id)


async def update_kit(
    ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID, changes: KitUpdate
) -> dict[str, Any]:
    """Rename a kit or change its tempo, key or description."""
    given = changes.model_fields_set
    async with kits_tx(ctx, user_id) as conn:
        row = await require_kit(conn, kit_id, lock=True)
        merged = {
            name: getattr(changes, name) if name in given else row[name]
            for name in ("name", "bpm", "musical_key", "description")
        }
        updated = await conn.fetchrow(
            SQL["update_kit"],
            kit_id,
            merged["name"],
            merged["bpm"],
            spell_key(merged["musical_key"]),
            merged["description"] or None,
        )
        return await load_kit(conn, updated["id"])


async def delete_kit(ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID) -> None:
    """Delete a kit; its samples stay in the library."""
    async with kits_tx(ctx, user_id) as conn:
        await require_kit(conn, kit_id)
        await conn.execute(SQL["delete_kit"], kit_id)


async def _trim(conn: asyncpg.Connection, body: PadAssign) -> tuple[int | None, int | None]:
    """The pad's (start, end) checked against the sample's length: both None for the whole
    sample; one given alone gets the other from the sample (0, or its length)."""
    if body.start is None and body.end is None:
        return None, None
    frames = await conn.fetchval(SQL["sample_frames"], body.sample_id)
    if frames is None:
        raise BadTrim("This sample's length is unknown, so it cannot be trimmed yet.")
    start = 0 if body.start is None else body.start
    end = frames if body.end is None else body.end
    if not 0 <= start < end <= frames:
        raise BadTrim(
            f"Trim points must satisfy 0 <= start < end <= {frames} (the sample's frames);"
            f" got start {start}, end {end}."
        )
    if (start, end) == (0, frames):
        return None, None
    return start, end


async def put_pad(
    conn: asyncpg.Connection, user_id: uuid.UUID, kit_id: uuid.UUID, body: PadAssign
) -> None:
    """Write one pad (the kit must be locked and the sample checked by the caller)."""
    start, end = await _trim(conn, body)
    await conn.execute(
        SQL["upsert_pad"],
        user_id,
        kit_id,
        body.bank,
        body.pad,
        body.sample_id,
        *(getattr(body, name) for name in PAD_SETTINGS),
        start,
        end,
    )


async def assign_pad(
    ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID, body: PadAssign
) -> dict[str, Any]:
    """Put one of the caller's samples on a pad, replacing what was there."""
    async with kits_tx(ctx, user_id) as conn:
        await require_kit(conn, kit_id, lock=True)
        await require_samples(conn, [body.sample_id])
        await put_pad(conn, user_id, kit_id, body)
        await conn.execute(SQL["touch_kit"], kit_id)
        return await load_kit(conn, kit_id)


async def _pad(conn: asyncpg.Connection, kit_id: uuid.UUID, ref: PadRef) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(SQL["fetch_pad"], kit_id, ref.bank, ref.pad)
    return row


async def move_pad(
    ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID, body: PadMove
) -> dict[str, Any]:
    """Move a pad's sample and settings to another pad (409 onto an assigned one unless replace)."""
    async with kits_tx(ctx, user_id) as conn:
        await require_kit(conn, kit_id, lock=True)
        if (body.source.bank, body.source.pad) != (body.target.bank, body.target.pad):
            if await _pad(conn, kit_id, body.source) is None:
                raise PadEmpty(f"Pad {body.source.label} holds no sample.")
            if await _pad(conn, kit_id, body.target) is not None:
                if not body.replace:
                    raise PadOccupied()
                await conn.execute(SQL["delete_pad"], kit_id, body.target.bank, body.target.pad)
            await conn.execute(
                SQL["move_pad"],
                kit_id,
                body.source.bank,
                body.source.pad,
                body.target.bank,
                body.target.pad,
            )
            await conn.execute(SQL["touch_kit"], kit_id)
        return await load_kit(conn, kit_id)


async def swap_pads(
    ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID, body: PadSwap
) -> dict[str, Any]:
    """Exchange two pads; with one of them empty this is a move."""
    async with kits_tx(ctx, user_id) as conn:
        await require_kit(conn, kit_id, lock=True)
        source, target = body.source, body.target
        first = await _pad(conn, kit_id, source)
        second = await _pad(conn, kit_id, target)
        if first is None and second is None:
            raise PadEmpty("Both pads are empty: there is nothing to swap.")
        args = (kit_id, source.bank, source.pad, target.bank, target.pad)
        if first is not None and second is not None:
            await conn.execute(SQL["swap_pads"], *args)
        elif first is not None:
            await conn.execute(SQL["move_pad"], *args)
        else:
            await conn.execute(
                SQL["move_pad"], kit_id, target.bank, target.pad, source.bank, source.pad
            )
        await conn.execute(SQL["touch_kit"], kit_id)
        return await load_kit(conn, kit_id)


async def clear_pads(
    ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID, body: PadClear
) -> dict[str, Any]:
    """Clear the listed pads, a bank, or the whole kit; the samples stay in the library."""
    async with kits_tx(ctx, user_id) as conn:
        await require_kit(conn, kit_id, lock=True)
        if body.all:
            cleared = await conn.fetch(SQL["clear_kit"], kit_id)
        elif body.bank is not None:
            cleared = await conn.fetch(SQL["clear_bank"], kit_id, body.bank)
        else:
            banks = [ref.bank for ref in body.pads]
            pads = [ref.pad for ref in body.pads]
            cleared = await conn.fetch(SQL["clear_pads"], kit_id, banks, pads)
        if cleared:
            await conn.execute(SQL["touch_kit"], kit_id)
        view = await load_kit(conn, kit_id)
    view["cleared"] = len(cleared)
    return view


async def create_kit_with_pads(
    conn: asyncpg.Connection,
    *,
    user_id: uuid.UUID,
    name: str,
    bpm: float | None,
    description: str | None,
    pads: list[dict[str, Any]],
) -> tuple[uuid.UUID, str]:
    """A new kit with its pads inside the caller's transaction (imports); a name already taken
    gets " (2)", " (3)" ... Returns the kit's id and the name it got."""
    await require_samples(conn, [uuid.UUID(str(pad["sample_id"])) for pad in pads])
    base = name[:94]
    for attempt in range(1, 100):
        candidate = base if attempt == 1 else f"{base} ({attempt})"
        body = KitCreate(name=candidate, bpm=bpm, description=description)
        try:
            async with conn.transaction():  # a savepoint: a taken name rolls back only this try
                row = await conn.fetchrow(
                    SQL["insert_kit"], user_id, body.name, body.bpm, None, body.description
                )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "kits_user_id_name_key":
                raise
            continue
        for pad in pads:
            await put_pad(conn, user_id, row["id"], PadAssign.model_validate(pad))
        return row["id"], str(row["name"])
    raise DuplicateKitName("Too many kits share this name; rename one and try again.")
