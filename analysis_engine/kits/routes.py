"""HTTP routes of kits (/api/kits*): the SP-404MK2 pad grid, its edits and suggestions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from analysis_engine.auth import CallerDep
from analysis_engine.context import EngineDep
from analysis_engine.kits import builder, service
from analysis_engine.kits.schemas import (
    Bank,
    BuiltKit,
    ClearedKit,
    CompletedKit,
    Kit,
    KitAutoBuild,
    KitBankPicks,
    KitComplete,
    KitCreate,
    KitPadPicks,
    KitPage,
    KitUpdate,
    PadAssign,
    PadClear,
    PadMove,
    PadSwap,
)

router = APIRouter(tags=["kits"])


@router.post("/api/kits", status_code=201, response_model=Kit)
async def create_kit(body: KitCreate, caller: CallerDep, ctx: EngineDep) -> dict[str, Any]:
    """Create an empty kit (names are unique per producer)."""
    return await service.create_kit(ctx, user_id=caller.user_id, body=body)


@router.get("/api/kits", response_model=KitPage)
async def list_kits(
    caller: CallerDep,
    ctx: EngineDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Your kits, most recently changed first, with how many pads each uses."""
    return await service.list_kits(ctx, user_id=caller.user_id, limit=limit, offset=offset)


@router.post("/api/kits/auto", status_code=201, response_model=BuiltKit)
async def auto_build_kit(body: KitAutoBuild, caller: CallerDep, ctx: EngineDep) -> dict[str, Any]:
    """Build a kit from a collection or a text prompt, each sample on a pad that suits its role."""
    return await builder.auto_build(ctx, user_id=caller.user_id, body=body)


@router.get("/api/kits/{kit_id}", response_model=Kit)
async def get_kit(kit_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> dict[str, Any]:
    """One kit with every assigned pad."""
    return await service.get_kit(ctx, user_id=caller.user_id, kit_id=kit_id)


@router.patch("/api/kits/{kit_id}", response_model=Kit)
async def update_kit(
    kit_id: uuid.UUID, body: KitUpdate, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Rename a kit or change its tempo, key or description (null clears them)."""
    return await service.update_kit(ctx, user_id=caller.user_id, kit_id=kit_id, changes=body)


@router.delete("/api/kits/{kit_id}", status_code=204)
async def delete_kit(kit_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> Response:
    """Delete a kit; its samples stay in your library."""
    await service.delete_kit(ctx, user_id=caller.user_id, kit_id=kit_id)
    return Response(status_code=204)


@router.put("/api/kits/{kit_id}/pads", response_model=Kit)
async def assign_pad(
    kit_id: uuid.UUID, body: PadAssign, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Put a sample on a pad (bank A-J, pad 1-16) with its settings, replacing what was there."""
    return await service.assign_pad(ctx, user_id=caller.user_id, kit_id=kit_id, body=body)


@router.post("/api/kits/{kit_id}/pads/move", response_model=Kit)
async def move_pad(
    kit_id: uuid.UUID, body: PadMove, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Move a pad to another pad (409 if that one is assigned, unless `replace`)."""
    return await service.move_pad(ctx, user_id=caller.user_id, kit_id=kit_id, body=body)


@router.post("/api/kits/{kit_id}/pads/swap", response_model=Kit)
async def swap_pads(
    kit_id: uuid.UUID, body: PadSwap, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Exchange two pads, samples and settings together."""
    return await service.swap_pads(ctx, user_id=caller.user_id, kit_id=kit_id, body=body)


@router.post("/api/kits/{kit_id}/pads/clear", response_model=ClearedKit)
async def clear_pads(
    kit_id: uuid.UUID, body: PadClear, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Clear the listed pads, a whole bank, or every pad; the samples stay in your library."""
    return await service.clear_pads(ctx, user_id=caller.user_id, kit_id=kit_id, body=body)


@router.get("/api/kits/{kit_id}/recommendations", response_model=KitPadPicks | KitBankPicks)
async def recommend(
    kit_id: uuid.UUID,
    caller: CallerDep,
    ctx: EngineDep,
    bank: Annotated[Bank, Query(description="bank A-J")] = "A",
    pad: Annotated[
        int | None,
        Query(ge=1, le=16, description="1-4 loops, 5-8 textures, 9-12 percussion, 13-16 drums"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Samples of yours that suit a pad's role (every pad of the bank when `pad` is left out),
    within ±10 BPM of the kit and key-compatible with it."""
    return await builder.recommend_for_pad(
        ctx, user_id=caller.user_id, kit_id=kit_id, bank=bank, pad=pad, limit=limit
    )


@router.post("/api/kits/{kit_id}/complete", response_model=CompletedKit)
async def complete_kit(
    kit_id: uuid.UUID, body: KitComplete, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Place a seed sample and fill the bank's empty pads with samples that go with it."""
    return await builder.complete_kit(ctx, user_id=caller.user_id, kit_id=kit_id, body=body)
