"""HTTP routes of batch imports (/api/samples/batch*)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from analysis_engine.auth import CallerDep
from analysis_engine.context import EngineDep
from analysis_engine.imports import device, zip_import
from analysis_engine.imports.schemas import (
    BatchImportDetail,
    BatchImportPage,
    DeviceImport,
    ImportAccepted,
)
from analysis_engine.schemas import NO_NUL
from sp404.core.errors import BadRequest

router = APIRouter(tags=["imports"])

BATCH_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["archive"],
                    "properties": {
                        "archive": {
                            "type": "string",
                            "format": "binary",
                            "description": "a ZIP of WAV, AIFF, FLAC, OGG or MP3 files",
                        },
                        "genre": {
                            "type": "string",
                            "maxLength": 60,
                            "pattern": NO_NUL,
                            "description": "given to every imported sample",
                        },
                        "tags": {
                            "type": "string",
                            "pattern": NO_NUL,
                            "description": "comma-separated, given to every imported sample",
                        },
                    },
                }
            }
        },
    }
}


# The upload answers with a JSONResponse of its own, so `response_model` only documents it.
@router.post(
    "/api/samples/batch",
    status_code=202,
    response_model=ImportAccepted,
    openapi_extra=BATCH_OPENAPI,
)
async def start_batch_import(request: Request, caller: CallerDep, ctx: EngineDep) -> JSONResponse:
    """Upload a ZIP of samples (multipart field `archive`); each audio file becomes a sample."""
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        raise BadRequest("Invalid Content-Length.")
    body = await zip_import.start_import(
        ctx, user_id=caller.user_id, content_type=request.headers.get("content-type"),
        content_length=None if length is None else int(length), body=request.stream(),
    )  # fmt: skip
    return JSONResponse(body, status_code=202)


@router.get("/api/samples/batch", response_model=BatchImportPage)
async def list_batch_imports(
    caller: CallerDep,
    ctx: EngineDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Your recent batch imports."""
    return await zip_import.list_imports(ctx, user_id=caller.user_id, limit=limit, offset=offset)


# A file's sample fields are present only when it was stored: unset fields are left out.
@router.get(
    "/api/samples/batch/{import_id}",
    response_model=BatchImportDetail,
    response_model_exclude_unset=True,
)
async def get_batch_import(
    import_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """An import's progress and, once it ends, what happened to each file."""
    return await zip_import.get_import(ctx, user_id=caller.user_id, import_id=import_id)


DEVICE_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["archive"],
                    "properties": {
                        "archive": {
                            "type": "string",
                            "format": "binary",
                            "description": "a ZIP of an SP-404MK2 project folder (PADCONF.BIN, "
                            "SMPL/) or of an SD-card backup",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/api/samples/device-import",
    status_code=201,
    response_model=DeviceImport,
    openapi_extra=DEVICE_OPENAPI,
)
async def import_from_device(request: Request, caller: CallerDep, ctx: EngineDep) -> dict[str, Any]:
    """Import SP-404MK2 projects (multipart field `archive`): samples and a kit per project.

    Every file is checked first: a damaged one answers 422 naming the file and byte offset, and
    nothing is stored."""
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        raise BadRequest("Invalid Content-Length.")
    return await device.import_device_archive(
        ctx, user_id=caller.user_id, content_type=request.headers.get("content-type"),
        content_length=None if length is None else int(length), body=request.stream(),
    )  # fmt: skip
