"""HTTP routes of jobs: status of one, the recent list, and a live progress stream (SSE)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from analysis_engine.auth import CallerDep
from analysis_engine.context import EngineDep
from analysis_engine.jobs_schemas import JOB_EVENT_STREAM, Job, JobPage, JobStatus
from sp404.core.audit import Hidden, owner_tx
from sp404.core.db import tenant_tx
from sp404.jobs import fetch_job, jobs_changed_since
from sp404.jobs import list_jobs as list_jobs_page

router = APIRouter(tags=["jobs"])
STREAM_POLL_S = 1.0
STREAM_MAX_S = 15 * 60  # clients reconnect (EventSource does it by itself)
HEARTBEAT_S = 15.0
EVENTS_OPENAPI: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a `job` event (its data a JobEvent, as JSON) each time a job changes, "
        "and keep-alive comments",
        "content": {"text/event-stream": {"schema": JOB_EVENT_STREAM}},
    }
}


def _job_view(row: Any) -> dict[str, Any]:
    view = {k: row[k] for k in row.keys() if k not in ("total", "changed_at")}
    jsonable: dict[str, Any] = json.loads(json.dumps(view, default=str))
    return jsonable


@router.get("/api/jobs/events", response_class=StreamingResponse, responses=EVENTS_OPENAPI)
async def job_events(request: Request, caller: CallerDep, ctx: EngineDep) -> StreamingResponse:
    """Server-sent events: one `job` event each time one of your jobs changes."""

    async def stream() -> AsyncIterator[bytes]:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
        sent: dict[str, tuple[str, float]] = {}
        started = last_beat = asyncio.get_running_loop().time()
        yield b"retry: 2000\n\n"
        while asyncio.get_running_loop().time() - started < STREAM_MAX_S:
            if await request.is_disconnected():
                return
            async with tenant_tx(ctx.pool, caller.user_id) as conn:
                rows = await jobs_changed_since(conn, since)
            for row in rows:
                state = (row["status"], float(row["progress"]))
                if sent.get(str(row["id"])) == state:
                    continue
                sent[str(row["id"])] = state
                since = max(since, row["changed_at"])
                yield f"event: job\ndata: {json.dumps(_job_view(row))}\n\n".encode()
            now = asyncio.get_running_loop().time()
            if now - last_beat > HEARTBEAT_S:
                last_beat = now
                yield b": keep-alive\n\n"
            await asyncio.sleep(STREAM_POLL_S)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/api/jobs", response_model=JobPage)
async def list_jobs(
    caller: CallerDep,
    ctx: EngineDep,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Your recent jobs."""
    async with tenant_tx(ctx.pool, caller.user_id) as conn:
        rows = await list_jobs_page(conn, status, limit, offset)
    total = rows[0]["total"] if rows else 0
    return {"jobs": [_job_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}


@router.get("/api/jobs/{job_id}", response_model=Job)
async def get_job(job_id: uuid.UUID, caller: CallerDep, ctx: EngineDep) -> dict[str, Any]:
    """One job's status and progress."""
    async with owner_tx(ctx.pool, caller.user_id) as conn:
        row = await fetch_job(conn, job_id)
        if row is None:
            raise Hidden("job", job_id)
    return _job_view(row)
