"""Sampler exports of a producer: request, list, open, download and delete them.

An export is a row in `app.exports` built by a background job (kind `export`, see runner.py):
the ZIP is stored in the blob store and downloadable until `expires_at`, after which it answers
410 and its blob is removed. Each request counts towards `usage_counters.exports_count`; exports
are never limited by the analyses quota.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg

from analysis_engine.collections import member_ids
from analysis_engine.context import Engine
from analysis_engine.exports.errors import ExportExpired, ExportNotReady, NothingToExport
from analysis_engine.exports.schemas import MAX_SELECTION, KitExport, SamplesExport
from analysis_engine.kits import kits_tx, require_samples
from analysis_engine.sp404 import project_name
from sp404.billing import count_export
from sp404.core.audit import Hidden, owner_tx
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.jobs import enqueue_job

SQL = load_queries(Path(__file__).with_name("queries.sql"))
EXPORT_JOB = "export"
EXPORT_TTL_S = 7 * 24 * 3600
BETA_KINDS = frozenset({"native_project"})
_OPTION_FIELDS = ("kit_id", "kit_name", "organise", "name", "audio_format", "sample_count")


def export_view(row: asyncpg.Record) -> dict[str, Any]:
    """An export as the API shows it; the native project is labelled beta."""
    options = row["options"] or {}
    ready = row["status"] == "ready"
    return {
        "id": row["id"],
        "kind": row["kind"],
        "beta": row["kind"] in BETA_KINDS,
        "status": row["status"],
        "progress": round(float(row["progress"]), 4),
        "size_bytes": row["size_bytes"],
        "error": row["error"],
        "file_name": options.get("file_name"),
        "options": {name: options[name] for name in _OPTION_FIELDS if name in options},
        "report": options.get("report"),
        "download_url": f"/api/exports/{row['id']}/download" if ready else None,
        "expires_at": row["expires_at"],
        "created_at": row["created_at"],
        "finished_at": row["finished_at"],
    }


async def _kit_options(conn: asyncpg.Connection, body: KitExport) -> dict[str, Any]:
    kit = await conn.fetchrow(SQL["fetch_kit"], body.kit_id)
    if kit is None:
        raise Hidden("kit", body.kit_id)
    pads = int(await conn.fetchval(SQL["count_kit_pads"], body.kit_id))
    if pads == 0:
        raise NothingToExport("This kit has no pads assigned yet.")
    return {
        "kit_id": str(body.kit_id),
        "kit_name": kit["name"],
        "audio_format": body.audio_format,
        "sample_count": pads,
        "file_name": _file_name(kit["name"], body.kind),
    }


def _file_name(name: str, kind: str) -> str:
    suffix = {"import_pack": "IMPORT", "native_project": "PROJECT BETA", "samples": "SAMPLES"}
    return f"{project_name(name)} {suffix[kind]}.zip"


async def request_export(
    ctx: Engine, *, user_id: uuid.UUID, body: KitExport | SamplesExport
) -> dict[str, Any]:
    """Queue an export of the caller's own kit or samples; 404 for anything not theirs."""
    sample_ids: list[uuid.UUID] = []
    if isinstance(body, SamplesExport):
        if body.collection_id is not None:
            sample_ids = await member_ids(
                ctx, user_id=user_id, collection_id=body.collection_id, limit=MAX_SELECTION
            )
            if not sample_ids:
                raise NothingToExport("This collection has no samples.")
        else:
            sample_ids = list(dict.fromkeys(body.sample_ids or []))
    convert = body.model_dump(include={"normalise", "trim_silence", "pad_short"})
    async with kits_tx(ctx, user_id) as conn:
        if isinstance(body, KitExport):
            options = await _kit_options(conn, body)
        else:
            # Checked now, so a selection holding someone else's id exports nothing at all.
            await require_samples(conn, sample_ids)
            options = {
                "sample_ids": [str(s) for s in sample_ids],
                "organise": body.organise,
                "name": body.name,
                "audio_format": body.audio_format,
                "sample_count": len(sample_ids),
                "collection_id": None if body.collection_id is None else str(body.collection_id),
                "file_name": _file_name(body.name, "samples"),
            }
        options["convert"] = convert
        export_id = await conn.fetchval(SQL["insert_export"], user_id, body.kind, options)
        priority = await conn.fetchval(SQL["plan_priority"])
        await enqueue_job(
            conn,
            user_id=user_id,
            kind=EXPORT_JOB,
            priority=int(priority or 1),
            payload={"export_id": str(export_id), "action": "build"},
            max_attempts=3,
        )
        await count_export(conn, user_id)
        row = await conn.fetchrow(SQL["fetch_export"], export_id)
    return export_view(row)


async def list_exports(
    ctx: Engine, *, user_id: uuid.UUID, limit: int, offset: int
) -> dict[str, Any]:
    """A page of the caller's sampler exports, newest first."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        rows = await conn.fetch(SQL["list_exports"], limit, offset)
        total = int(rows[0]["total"]) if rows else 0
        if not rows and offset:
            first = await conn.fetch(SQL["list_exports"], 1, 0)
            total = int(first[0]["total"]) if first else 0
    return {
        "exports": [export_view(r) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


async def fetch_export(ctx: Engine, *, user_id: uuid.UUID, export_id: uuid.UUID) -> Any:
    """The caller's export row; an audited 404 when it is not theirs."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_export"], export_id)
        if row is None:
            raise Hidden("export", export_id)
    return row


async def get_export(ctx: Engine, *, user_id: uuid.UUID, export_id: uuid.UUID) -> dict[str, Any]:
    """One export with its status and progress."""
    return export_view(await fetch_export(ctx, user_id=user_id, export_id=export_id))


async def downloadable(ctx: Engine, *, user_id: uuid.UUID, export_id: uuid.UUID) -> Any:
    """The row of a ready export to stream; 410 once expired, 409 while not ready."""
    row = await fetch_export(ctx, user_id=user_id, export_id=export_id)
    if row["status"] == "expired":
        raise ExportExpired()
    if row["status"] != "ready" or row["blob_key"] is None:
        raise ExportNotReady()
    return row


async def delete_export(ctx: Engine, *, user_id: uuid.UUID, export_id: uuid.UUID) -> None:
    """Delete an export and its file (a queued one is simply never built)."""
    async with owner_tx(ctx.pool, user_id) as conn:
        found = await conn.fetchrow(SQL["delete_export"], export_id)
        if found is None:
            raise Hidden("export", export_id)
    if found["blob_key"] is not None:
        # After the commit: a failed delete leaves an orphan, never a row pointing at nothing.
        await ctx.blobs.delete(found["blob_key"])
