"""HTTP routes of collections (/api/collections*)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from analysis_engine.auth import CallerDep
from analysis_engine.collections import members, service
from analysis_engine.collections.schemas import (
    Collection,
    CollectionCreate,
    CollectionDetail,
    CollectionPage,
    CollectionReanalysis,
    CollectionUpdate,
    RulesPreview,
    RulesPreviewPage,
    SampleIds,
    SamplesAdded,
)
from analysis_engine.context import EngineDep
from analysis_engine.samples import reanalyze

router = APIRouter(tags=["collections"])
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _json(body: dict[str, Any], status_code: int, warning: str | None) -> JSONResponse:
    headers = {"X-Quota-Warning": warning} if warning else None
    return JSONResponse(jsonable_encoder(body), status_code=status_code, headers=headers)


# Create and list answer with a JSONResponse of their own (for X-Quota-Warning), so
# `response_model` only documents them. Stored rules hold only the rules in use: routes that
# answer with them leave out the fields no rule set (`response_model_exclude_unset`).
@router.post("/api/collections", status_code=201, response_model=Collection)
async def create_collection(
    body: CollectionCreate, caller: CallerDep, ctx: EngineDep
) -> JSONResponse:
    """Create a collection (nested under `parent_id`; smart when it has `smart_rules`)."""
    view, warning = await service.create_collection(ctx, user_id=caller.user_id, body=body)
    return _json(view, 201, warning)


@router.post(
    "/api/collections/preview", response_model=RulesPreviewPage, response_model_exclude_unset=True
)
async def preview_rules(
    body: RulesPreview,
    caller: CallerDep,
    ctx: EngineDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The samples these smart rules would select now, a page at a time with `total`, exactly
    as a smart collection would list them; nothing is saved and no collection is used up."""
    return await service.preview_rules(
        ctx, user_id=caller.user_id, rules=body.smart_rules, limit=limit, offset=offset
    )


@router.get("/api/collections", response_model=CollectionPage)
async def list_collections(
    caller: CallerDep,
    ctx: EngineDep,
    parent_id: Annotated[uuid.UUID | None, Query(description="only its direct children")] = None,
    top_level: Annotated[bool, Query(description="only collections with no parent")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """Your collections in tree order (each with parent_id and depth) with sample counts."""
    page, warning = await service.list_collections(
        ctx,
        user_id=caller.user_id,
        parent_id=parent_id,
        top_level=top_level,
        limit=limit,
        offset=offset,
    )
    return _json(page, 200, warning)


@router.get(
    "/api/collections/{collection_id}",
    response_model=CollectionDetail,
    response_model_exclude_unset=True,
)
async def get_collection(
    collection_id: uuid.UUID,
    caller: CallerDep,
    ctx: EngineDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """One collection with a page of its samples (a smart one's as its rules select them now)."""
    return await service.get_collection(
        ctx, user_id=caller.user_id, collection_id=collection_id, limit=limit, offset=offset
    )


@router.patch(
    "/api/collections/{collection_id}",
    response_model=Collection,
    response_model_exclude_unset=True,
)
async def update_collection(
    collection_id: uuid.UUID, body: CollectionUpdate, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Rename, describe, move (`parent_id`, null for the top level) or change the rules."""
    return await service.update_collection(
        ctx, user_id=caller.user_id, collection_id=collection_id, changes=body
    )


@router.delete("/api/collections/{collection_id}", status_code=204)
async def delete_collection(
    collection_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> Response:
    """Delete a collection and its sub-collections; the samples stay in your library."""
    await service.delete_collection(ctx, user_id=caller.user_id, collection_id=collection_id)
    return Response(status_code=204)


@router.post("/api/collections/{collection_id}/samples", response_model=SamplesAdded)
async def add_samples(
    collection_id: uuid.UUID, body: SampleIds, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Add samples to a collection: all of them, or none when any id is not yours."""
    return await members.add_samples(
        ctx, user_id=caller.user_id, collection_id=collection_id, sample_ids=body.sample_ids
    )


@router.delete("/api/collections/{collection_id}/samples/{sample_id}", status_code=204)
async def remove_sample(
    collection_id: uuid.UUID, sample_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> Response:
    """Take a sample out of a collection; it stays in your library."""
    await members.remove_sample(
        ctx, user_id=caller.user_id, collection_id=collection_id, sample_id=sample_id
    )
    return Response(status_code=204)


@router.post(
    "/api/collections/{collection_id}/reanalyze",
    status_code=202,
    response_model=CollectionReanalysis,
)
async def reanalyze_collection(
    collection_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Analyse every sample of a collection again (up to 1,000; 429 when analyses are spent)."""
    ids = await service.member_ids(
        ctx, user_id=caller.user_id, collection_id=collection_id, limit=reanalyze.MAX_BATCH
    )
    queued = await reanalyze.reanalyze(ctx, user_id=caller.user_id, sample_ids=ids)
    return {"collection_id": collection_id, "queued": len(queued), "jobs": queued}
