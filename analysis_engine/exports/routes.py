"""HTTP routes of sampler exports (/api/exports*)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import StreamingResponse

from analysis_engine.auth import CallerDep
from analysis_engine.context import EngineDep
from analysis_engine.exports import service
from analysis_engine.exports.schemas import Export, ExportPage, ExportRequest

router = APIRouter(tags=["exports"])
ZIP_OPENAPI: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the export's ZIP archive",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


# An export's options hold only those of its kind: the routes leave out the fields not set.
@router.post(
    "/api/exports", status_code=202, response_model=Export, response_model_exclude_unset=True
)
async def request_export(
    body: Annotated[ExportRequest, Body()], caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Export a kit (`import_pack`, or `native_project`: beta) or samples (`samples`)."""
    return await service.request_export(ctx, user_id=caller.user_id, body=body)


@router.get("/api/exports", response_model=ExportPage, response_model_exclude_unset=True)
async def list_exports(
    caller: CallerDep,
    ctx: EngineDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Your exports, newest first, with status, progress and expiry."""
    return await service.list_exports(ctx, user_id=caller.user_id, limit=limit, offset=offset)


@router.get("/api/exports/{export_id}", response_model=Export, response_model_exclude_unset=True)
async def get_export(export_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> dict[str, Any]:
    """One export's status, progress (0-1) and, once ready, its download link."""
    return await service.get_export(ctx, user_id=caller.user_id, export_id=export_id)


@router.get(
    "/api/exports/{export_id}/download", response_class=StreamingResponse, responses=ZIP_OPENAPI
)
async def download_export(
    export_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> StreamingResponse:
    """The export's ZIP, streamed (409 until ready, 410 once expired)."""
    row = await service.downloadable(ctx, user_id=caller.user_id, export_id=export_id)
    name = (row["options"] or {}).get("file_name") or f"{export_id}.zip"
    return StreamingResponse(
        await ctx.blobs.open_read(row["blob_key"]),
        media_type="application/zip",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Content-Length": str(row["size_bytes"]),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete("/api/exports/{export_id}", status_code=204)
async def delete_export(export_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> Response:
    """Delete an export and its file now, before it expires."""
    await service.delete_export(ctx, user_id=caller.user_id, export_id=export_id)
    return Response(status_code=204)
