"""The producer's library: list, open, edit and delete samples."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg

from analysis_engine.context import Engine
from analysis_engine.features.waveform import COLUMNS, page_waveforms, waveform_view
from analysis_engine.music import camelot_of, spell_key
from analysis_engine.samples.filters import TempoKeyFilter
from sp404.billing import storage_quota
from sp404.core.audit import Hidden, owner_tx
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
# A list row draws a small waveform: fewer columns keep a page of 50 rows near 100 KB of JSON.
LIST_WAVEFORM_COLUMNS = 200
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
    view["musical_key"] = spell_key(row["musical_key"])
    view["camelot"] = camelot_of(row["musical_key"])
    view["duration"] = row["duration_s"]
    return view


CORRECTABLE = ("bpm", "musical_key", "is_loop")


def _rounded(value: float | None) -> float | None:
    # Stored as `real`: four places say all a float32 knows without its noise.
    return None if value is None else round(value, 4)


def corrections_view(row: Any) -> dict[str, Any]:
    """Which fields the producer corrected and what the analysis found (from the columns the
    list, detail and search queries select: `corrected`, `analysed`, `detected_*`)."""
    corrected = [name for name in CORRECTABLE if name in (row["corrected"] or ())]
    detected = None
    if row["analysed"]:
        bpm = row["detected_bpm"]
        detected = {
            "bpm": None if bpm is None else round(bpm, 2),
            "musical_key": spell_key(row["detected_key"]),
            "camelot": camelot_of(row["detected_key"]),
            "is_loop": row["detected_loop"],
            "tempo_confidence": _rounded(row["tempo_confidence"]),
            "key_confidence": _rounded(row["key_confidence"]),
        }
    return {"corrected": corrected, "detected": detected}


async def page_views(
    conn: asyncpg.Connection, ids: list[uuid.UUID], waveform_columns: int
) -> list[dict[str, Any]]:
    """The caller's samples `ids` as a library page shows them (with analysis, vibe and
    waveform), in the order given; the list and text search both answer with these, through
    page_response.PageResponse (the waveforms' peaks are int8 arrays)."""
    rows = await conn.fetch(SQL["list_samples_page"], ids)
    waveforms = page_waveforms([r["waveform"] for r in rows], waveform_columns)
    return [
        {
            **sample_view(r),
            **corrections_view(r),
            "vibe": r["vibe"],
            "waveform": waveform,
        }
        for r, waveform in zip(rows, waveforms, strict=True)
    ]


async def list_samples(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    filters: dict[str, Any],
    sort: str,
    limit: int,
    offset: int,
    waveform_columns: int = LIST_WAVEFORM_COLUMNS,
) -> dict[str, Any]:
    """A page of the caller's samples."""
    text = filters.get("q")
    tempo_key: TempoKeyFilter = filters.get("tempo_key") or TempoKeyFilter()
    args = (
        None if not text else like_escape(text),
        *tempo_key.tempo_args(),
        tempo_key.key_args(),
        filters.get("genre"),
        filters.get("loop"),
        filters.get("tags") or None,
        filters.get("analysed"),
        filters.get("status"),
        sort,
    )
    async with tenant_tx(ctx.pool, user_id) as conn:
        # Ids first (an index walk that stops after the page), then the page's rows with their
        # analysis, then the count without joins: never every matching row with its features.
        if sort == "created_desc":
            page = await conn.fetch(SQL["list_sample_ids_newest"], *args[:-1], limit, offset)
        else:
            page = await conn.fetch(SQL["list_sample_ids"], *args, limit, offset)
        samples = await page_views(conn, [r["id"] for r in page], waveform_columns)
        total = None
        if offset == 0 and len(page) < limit:
            total = len(page)
        elif all(arg is None for arg in args[:-1]):
            total = await conn.fetchval(SQL["library_samples_count"])
        if total is None:
            total = await conn.fetchval(SQL["count_samples"], *args[:-1])
    return {
        "samples": samples,
        "total": total,
        "limit": limit,
        "offset": offset,
        "key_filter": tempo_key.key_view(),
    }


async def get_sample(
    ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID, waveform_columns: int = COLUMNS
) -> dict[str, Any]:
    """One sample with its features, vibe, waveform and latest job."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_sample"], sample_id)
        analysis = await conn.fetchrow(SQL["fetch_sample_analysis"], sample_id)
        job = await conn.fetchrow(SQL["latest_job_for_sample"], sample_id)
        if row is None:
            raise Hidden("sample", sample_id)
    view = sample_view(row)
    view.update(corrections_view(row))
    view.update(
        sha256=row["sha256"],
        analysed_at=row["analysed_at"],
        features=analysis["features"] if analysis else None,
        vibe=analysis["vibe"] if analysis else None,
        waveform=waveform_view(analysis["waveform"] if analysis else None, waveform_columns),
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
    """Edit title, genre and tags; correct tempo, key and loop flag (null: "none"), or reset
    corrections to what the analysis found."""
    corrected = [name for name in CORRECTABLE if name in changes]
    async with owner_tx(ctx.pool, user_id) as conn:
        updated = await conn.fetchval(
            SQL["update_sample"],
            sample_id,
            changes.get("title"),
            changes.get("genre"),
            changes.get("tags"),
            "genre" in changes and changes["genre"] is None,
            corrected,
            changes.get("bpm"),
            spell_key(changes.get("musical_key")),
            changes.get("is_loop"),
            list(changes.get("reset") or []),
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
