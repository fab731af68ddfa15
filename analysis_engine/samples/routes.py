"""HTTP routes of the sample library (/api/samples*)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from analysis_engine.auth import CallerDep
from analysis_engine.context import EngineDep
from analysis_engine.features.waveform import COLUMNS
from analysis_engine.samples import direct, reanalyze, service, upload
from analysis_engine.samples.filters import KeyMatch, TempoKeyFilter, key_from_query
from analysis_engine.samples.page_response import PageResponse
from analysis_engine.samples.schemas import (
    UPLOAD_OPENAPI,
    DirectUpload,
    DirectUploadStart,
    FilterText,
    QueuedAnalysis,
    SampleDetail,
    SamplePage,
    SampleSort,
    SampleStatus,
    SampleUpdate,
    UploadAccepted,
    WaveformColumns,
)
from sp404.core.errors import BadRequest
from sp404.storage import parse_range

router = APIRouter(tags=["samples"])
MIME = {
    "wav": "audio/wav",
    "aiff": "audio/aiff",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
}
AUDIO: dict[str, dict[str, Any]] = {
    media_type: {"schema": {"type": "string", "format": "binary"}}
    for media_type in dict.fromkeys(MIME.values())
}
DOWNLOAD_OPENAPI: dict[int | str, dict[str, Any]] = {
    200: {"description": "the file as uploaded", "content": AUDIO}
}
STREAM_OPENAPI: dict[int | str, dict[str, Any]] = {
    200: {"description": "the whole file", "content": AUDIO},
    206: {"description": "the byte range asked for (Content-Range)", "content": AUDIO},
}


# The upload routes answer with a JSONResponse of their own (for X-Quota-Warning), so
# `response_model` only documents them: nothing is validated or serialised twice.
@router.post(
    "/api/samples", status_code=201, response_model=UploadAccepted, openapi_extra=UPLOAD_OPENAPI
)
async def upload_sample(request: Request, caller: CallerDep, ctx: EngineDep) -> JSONResponse:
    """Upload one audio file (multipart field `audio`, optional `title`, `genre`, `tags`)."""
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        raise BadRequest("Invalid Content-Length.")
    body, warning = await upload.upload_sample(
        ctx,
        user_id=caller.user_id,
        content_type=request.headers.get("content-type"),
        content_length=None if length is None else int(length),
        body=request.stream(),
    )
    headers = {"X-Quota-Warning": warning} if warning else None
    return JSONResponse(_jsonable(body), status_code=201, headers=headers)


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, uuid.UUID) else v)
        for k, v in body.items()
    }


@router.post("/api/samples/uploads", status_code=201, response_model=DirectUpload)
async def start_direct_upload(
    body: DirectUploadStart, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Get a presigned URL to PUT a large file straight to storage (limited to `size` bytes)."""
    fields = {k: v for k, v in body.model_dump(include={"title", "genre", "tags"}).items() if v}
    return await direct.start_direct_upload(
        ctx,
        user_id=caller.user_id,
        filename=body.filename,
        size=body.size,
        content_type=body.content_type,
        fields=fields,
    )


@router.post(
    "/api/samples/uploads/{upload_id}/complete", status_code=201, response_model=UploadAccepted
)
async def complete_direct_upload(
    upload_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> JSONResponse:
    """Check the uploaded file and add it to the library."""
    body, warning = await direct.complete_direct_upload(
        ctx, user_id=caller.user_id, upload_id=upload_id
    )
    headers = {"X-Quota-Warning": warning} if warning else None
    return JSONResponse(_jsonable(body), status_code=201, headers=headers)


@router.delete("/api/samples/uploads/{upload_id}", status_code=204)
async def cancel_direct_upload(upload_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> Response:
    """Abandon a direct upload: its reserved storage is freed at once."""
    await direct.cancel_direct_upload(ctx, user_id=caller.user_id, upload_id=upload_id)
    return Response(status_code=204)


@router.get("/api/samples", response_model=SamplePage)
async def list_samples(
    caller: CallerDep,
    ctx: EngineDep,
    q: Annotated[
        FilterText | None, Query(max_length=100, description="text in title, tags or vibe")
    ] = None,
    bpm_min: Annotated[float | None, Query(ge=0, le=1000)] = None,
    bpm_max: Annotated[float | None, Query(ge=0, le=1000)] = None,
    half_double: Annotated[
        bool, Query(description="with bpm_min/bpm_max: also keep half and double time")
    ] = False,
    key: Annotated[
        FilterText | None,
        Query(max_length=20, description='any spelling: "A minor", "Am", "Bb major", "F#m"'),
    ] = None,
    key_match: Annotated[
        KeyMatch,
        Query(
            description="exact: the key; relative: and its relative major/minor; compatible:"
            " and the keys a fifth up and down (its Camelot neighbours)"
        ),
    ] = "exact",
    genre: Annotated[FilterText | None, Query(max_length=60)] = None,
    loop: bool | None = None,
    tags: Annotated[
        list[FilterText] | None, Query(max_length=20, description="samples with all of them")
    ] = None,
    analysed: bool | None = None,
    status: SampleStatus | None = None,
    sort: SampleSort = "created_desc",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    waveform_columns: WaveformColumns = service.LIST_WAVEFORM_COLUMNS,
) -> PageResponse:
    """Your samples, filtered and sorted, a page at a time, each with its waveform."""
    filters = {
        "q": q,
        "tempo_key": TempoKeyFilter(
            bpm_min=bpm_min,
            bpm_max=bpm_max,
            half_double=half_double,
            key=key_from_query(key),
            key_match=key_match,
        ),
        "genre": genre,
        "loop": loop,
        "tags": [t.strip().lower() for t in tags or [] if t.strip()],
        "analysed": analysed,
        "status": status,
    }
    page = await service.list_samples(
        ctx,
        user_id=caller.user_id,
        filters=filters,
        sort=sort,
        limit=limit,
        offset=offset,
        waveform_columns=waveform_columns,
    )
    return PageResponse(page)


@router.get(
    "/api/samples/{sample_id}", response_model=SampleDetail, response_model_exclude_unset=True
)
async def get_sample(
    sample_id: uuid.UUID,
    caller: CallerDep,
    ctx: EngineDep,
    waveform_columns: WaveformColumns = COLUMNS,
) -> dict[str, Any]:
    """One sample with its features, vibe and waveform when analysed."""
    return await service.get_sample(
        ctx, user_id=caller.user_id, sample_id=sample_id, waveform_columns=waveform_columns
    )


@router.patch(
    "/api/samples/{sample_id}", response_model=SampleDetail, response_model_exclude_unset=True
)
async def update_sample(
    sample_id: uuid.UUID, body: SampleUpdate, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Edit title, genre and tags, or correct BPM and key."""
    return await service.update_sample(
        ctx,
        user_id=caller.user_id,
        sample_id=sample_id,
        changes=body.model_dump(exclude_unset=True),
    )


@router.delete("/api/samples/{sample_id}", status_code=204)
async def delete_sample(sample_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> Response:
    """Delete a sample and its audio; its storage is freed."""
    await service.delete_sample(ctx, user_id=caller.user_id, sample_id=sample_id)
    return Response(status_code=204)


@router.post("/api/samples/{sample_id}/reanalyze", status_code=202, response_model=QueuedAnalysis)
async def reanalyze_sample(
    sample_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> dict[str, Any]:
    """Analyse a sample again (429 when this period's analyses are spent)."""
    [queued] = await reanalyze.reanalyze(ctx, user_id=caller.user_id, sample_ids=[sample_id])
    return queued


@router.get(
    "/api/samples/{sample_id}/download",
    response_class=StreamingResponse,
    responses=DOWNLOAD_OPENAPI,
)
async def download_sample(
    sample_id: uuid.UUID, caller: CallerDep, ctx: EngineDep
) -> StreamingResponse:
    """The original file, as uploaded."""
    row = await service.fetch_for_download(ctx, user_id=caller.user_id, sample_id=sample_id)
    disposition = f"attachment; filename*=UTF-8''{quote(row['filename'])}"
    return StreamingResponse(
        await ctx.blobs.open_read(row["blob_key"]),
        media_type=MIME[row["format"]],
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(row["size_bytes"]),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/api/samples/{sample_id}/stream", response_class=StreamingResponse, responses=STREAM_OPENAPI
)
async def stream_sample(
    sample_id: uuid.UUID, request: Request, caller: CallerDep, ctx: EngineDep
) -> StreamingResponse:
    """The audio for preview playback, with byte ranges (206) for seeking."""
    row = await service.fetch_for_download(ctx, user_id=caller.user_id, sample_id=sample_id)
    size = row["size_bytes"]
    wanted = parse_range(request.headers.get("range"), size)
    headers = {
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(
            await ctx.blobs.open_read(row["blob_key"]),
            media_type=MIME[row["format"]],
            headers=headers,
        )
    begin, stop = wanted
    headers.update(
        {"Content-Range": f"bytes {begin}-{stop - 1}/{size}", "Content-Length": str(stop - begin)}
    )
    return StreamingResponse(
        await ctx.blobs.open_read(row["blob_key"], start=begin, end=stop),
        status_code=206,
        media_type=MIME[row["format"]],
        headers=headers,
    )
