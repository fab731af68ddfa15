"""The kit suggestions a producer asks for: picks for one pad, "complete this kit" from a seed
sample, and a new kit built from a collection or a text prompt (rules in recommend.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from analysis_engine.collections import member_ids
from analysis_engine.context import Engine
from analysis_engine.kits.access import kits_tx, require_kit, require_samples
from analysis_engine.kits.errors import NoCandidates
from analysis_engine.kits.prompt import KitRequest, parse_request
from analysis_engine.kits.queries import SQL
from analysis_engine.kits.recommend import (
    best_picks,
    derive_target,
    empty_pads,
    fill_bank,
    fill_banks,
    load_candidates,
    pad_settings,
    seed_pad,
    shortlist,
    similarity_to,
    target_of,
)
from analysis_engine.kits.roles import role_of_pad
from analysis_engine.kits.schemas import KitAutoBuild, KitComplete, PadAssign
from analysis_engine.kits.sentence import SentencePool, pool_shortlist, sentence_pool
from analysis_engine.kits.service import load_kit, put_pad
from analysis_engine.music import spell_key

MAX_SOURCE_SAMPLES = 1000


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
    pads = []
    async with kits_tx(ctx, user_id) as conn:
        kit = await require_kit(conn, kit_id)
        on_kit = {row["sample_id"] for row in await conn.fetch(SQL["kit_sample_ids"], kit_id)}
        target = target_of(kit["bpm"], kit["musical_key"])
        for number in [pad] if pad is not None else range(1, 17):
            role = role_of_pad(number)
            # The whole library, ranked from its role index; full rows for the picks only.
            picks = await best_picks(conn, user_id, role, target, exclude=on_kit, limit=limit)
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
        # The whole library's best for each role, not its newest rows.
        candidates = await shortlist(
            conn, user_id, target, exclude=used, pads=16 - len(occupied), boost=boost
        )
        added += fill_bank(body.bank, occupied, candidates, target, used, boost)
        for assign in added:
            await put_pad(conn, user_id, kit_id, assign)
        await conn.execute(SQL["touch_kit"], kit_id)
        view = await load_kit(conn, kit_id)
    view["added"] = [assign.label for assign in sorted(added, key=lambda a: a.pad)]
    filled = occupied | {assign.pad for assign in added}
    view["empty"] = empty_pads(body.bank, filled, candidates, target, used)
    return view


async def auto_build(ctx: Engine, *, user_id: uuid.UUID, body: KitAutoBuild) -> dict[str, Any]:
    """A new kit filled by pad roles from a collection's samples, or from the samples whose
    words match a sentence ("dusty lo-fi drums at 92": its tempo and key set the kit's unless
    given), with the pads left empty and why."""
    request: KitRequest | None = None
    ids: list[uuid.UUID] = []
    if body.collection_id is not None:
        ids = await member_ids(
            ctx, user_id=user_id, collection_id=body.collection_id, limit=MAX_SOURCE_SAMPLES
        )
    async with kits_tx(ctx, user_id) as conn:
        pool: SentencePool | None = None
        if body.collection_id is not None:
            candidates = await load_candidates(conn, ids) if ids else []
            among = "in this collection"
            found = bool(candidates)
            derived_bpm, derived_key = derive_target(candidates)
        else:
            request = parse_request(body.prompt or "")
            pool = await sentence_pool(conn, user_id, request)
            words = ", ".join(f'"{w}"' for w in request.words)
            among = f"matching {words}" if request.words else "in your library"
            found = pool.matched > 0
            derived_bpm, derived_key = pool.derived
            if not found and request.words:
                raise NoCandidates(f"No sample in your library matches {words}; no kit was built.")
        if not found:
            raise NoCandidates(f"Nothing {among} matched, so no kit was built.")
        bpm = body.bpm
        if bpm is None:
            bpm = request.bpm if request is not None and request.bpm is not None else derived_bpm
        key = spell_key(body.musical_key)
        if key is None:
            asked = None if request is None or request.key is None else str(request.key)
            key = asked or derived_key
        kit = await conn.fetchrow(
            SQL["insert_kit"], user_id, body.name, bpm, key, body.description or None
        )
        target = target_of(bpm, key)
        boost: Mapping[uuid.UUID, float] = {}
        if pool is not None:
            # The whole library's best for each role among the samples the sentence matches.
            candidates = await pool_shortlist(conn, user_id, pool, target)
            boost = pool.boost
        assigns, empty = fill_banks(candidates, target, boost, among=among)
        for assign in assigns:
            await put_pad(conn, user_id, kit["id"], assign)
        filled = len(assigns)
        if not filled:
            raise NoCandidates(f"Nothing {among} suits a pad of this kit; no kit was built.")
        view = await load_kit(conn, kit["id"])
    view["filled"] = filled
    view["source"] = {"collection_id": body.collection_id, "prompt": body.prompt}
    view["understood"] = None if request is None else request_view(request)
    view["empty"] = empty
    return view


def request_view(request: KitRequest) -> dict[str, Any]:
    """What a sentence was understood to ask for."""
    key = request.key
    return {
        "bpm": request.bpm,
        "musical_key": None if key is None else str(key),
        "camelot": None if key is None else key.camelot,
        "words": list(request.words),
    }
