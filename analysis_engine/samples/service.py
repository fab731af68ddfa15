"""The producer's library: list, open, edit and delete samples."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from sp404.billing import storage_quota
from sp404.core.audit import Hidden, owner_tx
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
SORTS = ("created_desc", "created_asc", "title", "bpm", "duration")
PUBLIC_FIELDS = (
    "id",
    "title",
    "filename",
    "format",
    "size_bytes",
    "duration_s",
    "sample_rate",
    "channels",
    "genre",
    "tags",
    "bpm",
    "musical_key",
    "is_loop",
    "status",
    "created_at",
    "updated_at",
)


def like_escape(text: str) -> str:
    """User text made literal inside an ILIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def sample_view(row: Any) -> dict[str, Any]:
    """A sample as the API shows it (`duration` is the PRD's name for duration_s)."""
    view = {name: row[name] for name in PUBLIC_FIELDS}
    view["duration"] = row["duration_s"]
    return view


async def list_samples(
    ctx: Engine, *, user_id: uuid.UUID, filters: dict[str, Any], sort: str, limit: int, offset: int
) -> dict[str, Any]:
    """A page of the caller's samples."""
    text = filters.get("q")
    args = (
        None if not text else like_escape(text),
        filters.get("bpm_min"),
        filters.get("bpm_max"),
        filters.get("key"),
        filters.get("genre"),
        filters.get("loop"),
        filters.get("tags") or None,
        filters.get("analysed"),
        filters.get("status"),
        sort,
    )
    async with tenant_tx(ctx.pool, user_id) as conn:
        rows = await conn.fetch(SQL["list_samples"], *args, limit, offset)
        if rows:
            total = rows[0]["total"]
        else:
            # Past the last page the window count is gone; the first row of the same query has it.
            first = await conn.fetch(SQL["list_samples"], *args, 1, 0)
            total = first[0]["total"] if first else 0
    samples = [{**sample_view(r), "vibe": r["vibe"]} for r in rows]
    return {"samples": samples, "total": total, "limit": limit, "offset": offset}


async def get_sample(ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID) -> dict[str, Any]:
    """One sample with its features, vibe and latest job."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_sample"], sample_id)
        analysis = await conn.fetchrow(SQL["fetch_sample_analysis"], sample_id)
        job = await conn.fetchrow(SQL["latest_job_for_sample"], sample_id)
        if row is None:
            raise Hidden("sample", sample_id)
    view = sample_view(row)
    view.update(
        sha256=row["sha256"],
        analysed_at=row["analysed_at"],
        features=analysis["features"] if analysis else None,
        vibe=analysis["vibe"] if analysis else None,
        job=dict(job) if job else None,
    )
    return view


async def fetch_for_download(ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID) -> Any:
    """The row needed to serve a sample's audio."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_sample"], sample_id)
        if row is None:
            raise Hidden("sample", sample_id)
    return row


async def update_sample(
    ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID, changes: dict[str, Any]
) -> dict[str, Any]:
    """Edit title, genre, tags, or correct BPM/key (null clears a correction)."""
    async with owner_tx(ctx.pool, user_id) as conn:
        updated = await conn.fetchval(
            SQL["update_sample"],
            sample_id,
            changes.get("title"),
            changes.get("genre"),
            changes.get("tags"),
            changes.get("bpm"),
            changes.get("musical_key"),
            "bpm" in changes and changes["bpm"] is None,
            "musical_key" in changes and changes["musical_key"] is None,
            "genre" in changes and changes["genre"] is None,
        )
        if updated is None:
            raise Hidden("sample", sample_id)
    return await get_sample(ctx, user_id=user_id, sample_id=sample_id)


async def delete_sample(ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID) -> None:
    """Delete a sample and its audio, and give its storage back."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["delete_sample"], sample_id)
        if row is not None:
            await storage_quota.free_storage(conn, size=row["size_bytes"])
        if row is None:
            raise Hidden("sample", sample_id)
    # After the commit: a failed delete leaves an orphan blob (harmless, never served), while
    # deleting first could leave a row pointing at nothing.
    await ctx.blobs.delete(row["blob_key"])
