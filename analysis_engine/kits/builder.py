"""The kit suggestions a producer asks for: picks for one pad, "complete this kit" from a seed
sample, and a new kit built from a collection or a text prompt (rules in recommend.py)."""

from __future__ import annotations

import uuid
from typing import Any

from analysis_engine.collections import member_ids
from analysis_engine.context import Engine
from analysis_engine.kits.access import kits_tx, require_kit, require_samples
from analysis_engine.kits.errors import NoCandidates
from analysis_engine.kits.queries import SQL
from analysis_engine.kits.recommend import (
    BANKS,
    derive_target,
    fill_bank,
    load_candidates,
    pad_settings,
    rank,
    seed_pad,
    similarity_to,
    target_of,
    text_boost,
)
from analysis_engine.kits.roles import role_of_pad
from analysis_engine.kits.schemas import KitAutoBuild, KitComplete, PadAssign
from analysis_engine.kits.service import load_kit, put_pad
from analysis_engine.search import search_library

MAX_SOURCE_SAMPLES = 1000
PROMPT_RESULTS = 100


async def recommend_for_pad(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    kit_id: uuid.UUID,
    bank: str,
    pad: int | None,
    limit: int,
) -> dict[str, Any]:
    """The library's best picks for one pad of a kit (or each pad of a bank), by role, tempo
    and key; samples already on the kit are left out."""
    async with kits_tx(ctx, user_id) as conn:
        kit = await require_kit(conn, kit_id)
        on_kit = {row["sample_id"] for row in await conn.fetch(SQL["kit_sample_ids"], kit_id)}
        candidates = await load_candidates(conn)
    target = target_of(kit["bpm"], kit["musical_key"])
    pads = []
    for number in [pad] if pad is not None else range(1, 17):
        role = role_of_pad(number)
        picks = rank(role, candidates, target, exclude=on_kit)[:limit]
        results = [pick.view(target) for pick in picks]
        pads.append({"bank": bank, "pad": number, "role": role, "results": results})
    if pad is not None:
        return {"kit_id": kit_id, **pads[0]}
    return {"kit_id": kit_id, "bank": bank, "pads": pads}


async def complete_kit(
    ctx: Engine, *, user_id: uuid.UUID, kit_id: uuid.UUID, body: KitComplete
) -> dict[str, Any]:
    """Fill the empty pads of a bank around a seed sample (placed first if not on the kit)."""
    async with kits_tx(ctx, user_id) as conn:
        kit = await require_kit(conn, kit_id, lock=True)
        await require_samples(conn, [body.sample_id])
        [seed] = await load_candidates(conn, [body.sample_id])
        candidates = await load_candidates(conn)
        bpm = kit["bpm"] if kit["bpm"] is not None else seed.bpm
        key = kit["musical_key"] or (None if seed.key is None else str(seed.key))
        if (bpm, key) != (kit["bpm"], kit["musical_key"]):
            # An empty kit takes its tempo and key from the seed, so the picks agree with it.
            await conn.execute(SQL["update_kit"], kit_id, kit["name"], bpm, key, kit["description"])
        pads = await conn.fetch(SQL["kit_pads"], kit_id)
        used = {row["sample_id"] for row in pads}
        occupied = {row["pad"] for row in pads if row["bank"] == body.bank}
        added: list[PadAssign] = []
        if seed.id not in used:
            pad = seed_pad(seed, occupied)
            if pad is not None:
                added.append(pad_settings(body.bank, pad, seed.id))
                occupied.add(pad)
                used.add(seed.id)
        boost = await similarity_to(conn, user_id, seed.id)
        target = target_of(bpm, key)
        added += fill_bank(body.bank, occupied, candidates, target, used, boost)
        for assign in added:
            await put_pad(conn, user_id, kit_id, assign)
        await conn.execute(SQL["touch_kit"], kit_id)
        view = await load_kit(conn, kit_id)
    view["added"] = [assign.label for assign in sorted(added, key=lambda a: a.pad)]
    return view


async def auto_build(ctx: Engine, *, user_id: uuid.UUID, body: KitAutoBuild) -> dict[str, Any]:
    """A new kit filled by pad roles from a collection's samples or a prompt's matches."""
    boost: dict[uuid.UUID, float] = {}
    if body.collection_id is not None:
        ids = await member_ids(
            ctx, user_id=user_id, collection_id=body.collection_id, limit=MAX_SOURCE_SAMPLES
        )
    else:
        found = await search_library(
            ctx, user_id=user_id, text=body.prompt or "", limit=PROMPT_RESULTS, offset=0
        )
        boost = text_boost(found["results"])
        ids = list(boost)
    if not ids:
        raise NoCandidates()
    async with kits_tx(ctx, user_id) as conn:
        candidates = await load_candidates(conn, ids)
        if not candidates:
            raise NoCandidates()
        derived_bpm, derived_key = derive_target(candidates)
        bpm = body.bpm if body.bpm is not None else derived_bpm
        key = body.musical_key or derived_key
        kit = await conn.fetchrow(
            SQL["insert_kit"], user_id, body.name, bpm, key, body.description or None
        )
        target = target_of(bpm, key)
        used: set[uuid.UUID] = set()
        filled = 0
        for bank in BANKS:
            assigns = fill_bank(bank, set(), candidates, target, used, boost)
            if not assigns:
                break
            for assign in assigns:
                await put_pad(conn, user_id, kit["id"], assign)
            filled += len(assigns)
        if not filled:
            raise NoCandidates("None of those samples suits a pad of this kit; no kit was built.")
        view = await load_kit(conn, kit["id"])
    view["filled"] = filled
    view["source"] = {"collection_id": body.collection_id, "prompt": body.prompt}
    return view
