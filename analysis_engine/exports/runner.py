"""The export job loop inside the engine: build an export's ZIP, store it, and remove it again
when it expires.

Each export is one job of kind `export` with payload `{"export_id", "action": "build"}`. When
the ZIP is stored, the same transaction queues an `"action": "expire"` job whose run_after is the
export's expiry, so the blob is removed by the job loop on time whichever engine is running; each
build also sweeps its producer's overdue exports in case an expiry job was lost.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

import asyncpg
from fastapi import FastAPI

from analysis_engine.context import Engine
from analysis_engine.exports.build import Progress, Source, build_archive
from analysis_engine.exports.service import EXPORT_JOB, EXPORT_TTL_S, SQL
from analysis_engine.music import spell_key
from analysis_engine.sp404 import SampleInfo
from sp404.core.db import tenant_tx
from sp404.jobs import ClaimedJob, enqueue_job, finish_job, record_progress, start_job_loop
from sp404.storage import BlobNotFound, user_key

log = logging.getLogger("exports")
FLUSH_EVERY_S = 0.5
DOWNLOAD_SHARE = 0.3
PACK_SHARE = 0.6
READ_CHUNK = 1 << 20
PAD_FIELDS = ("bank", "pad", "volume", "pitch", "gate", "loop", "one_shot", "mute_group")


class ExportFailed(Exception):
    """The export cannot be built; the message is what the producer reads."""


class _Reporter:
    """Writes the export's and the job's progress, at most twice a second."""

    def __init__(self, ctx: Engine, job: ClaimedJob, worker_id: str, export_id: uuid.UUID) -> None:
        self.ctx, self.job, self.worker_id, self.export_id = ctx, job, worker_id, export_id
        self.last = 0.0

    async def write(self, value: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < FLUSH_EVERY_S:
            return
        self.last = now
        value = round(min(value, 0.99), 4)
        async with tenant_tx(self.ctx.pool, self.job.user_id) as conn:
            await conn.execute(SQL["record_progress"], self.export_id, value)
            await record_progress(conn, self.job, worker_id=self.worker_id, progress=value)


def _info(row: asyncpg.Record) -> SampleInfo:
    return SampleInfo(
        title=row["title"], bpm=row["bpm"], key=spell_key(row["musical_key"]), genre=row["genre"]
    )


async def _sources(
    conn: asyncpg.Connection, kind: str, options: dict[str, Any]
) -> tuple[str, float | None, list[asyncpg.Record]]:
    """The archive's name, tempo and source rows, read under the owner's row-level security."""
    if kind == "samples":
        wanted = [uuid.UUID(s) for s in options.get("sample_ids", [])]
        found = {row["id"]: row for row in await conn.fetch(SQL["sample_sources"], wanted)}
        # Selection order is the order of the archive (deleted samples drop out).
        return (
            str(options.get("name") or "SAMPLE CLOUD"),
            None,
            [found[s] for s in wanted if s in found],
        )
    kit = await conn.fetchrow(SQL["fetch_kit"], uuid.UUID(options["kit_id"]))
    if kit is None:
        raise ExportFailed("The kit was deleted before its export was built.")
    return kit["name"], kit["bpm"], list(await conn.fetch(SQL["kit_sources"], kit["id"]))


async def _download(ctx: Engine, key: str, dest: Path) -> None:
    with dest.open("wb") as out:  # each write below is offloaded
        async for chunk in await ctx.blobs.open_read(key):
            await asyncio.to_thread(out.write, chunk)


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:  # reads are offloaded below
        while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
            yield chunk


async def _build(
    ctx: Engine, job: ClaimedJob, reporter: _Reporter, row: asyncpg.Record, workdir: Path
) -> tuple[str, int, dict[str, Any]]:
    """Download, pack and store one export; returns its blob key, size and report."""
    options: dict[str, Any] = row["options"] or {}
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        name, bpm, rows = await _sources(conn, row["kind"], options)
    if not rows:
        raise ExportFailed("None of the samples of this export exist any more.")
    progress = Progress(total=len(rows))
    sources = []
    for index, source in enumerate(rows):
        # Generated names in our own temp dir: no title ever touches the disk.
        dest = workdir / f"source-{index}"
        try:
            await _download(ctx, source["blob_key"], dest)
        except BlobNotFound:
            progress.skip(source["title"], "its audio file is missing")
            continue
        pad, trim = None, None
        if row["kind"] != "samples":
            pad = {f: source[f] for f in PAD_FIELDS}
            if source["trim_start"] is not None:
                trim = (source["trim_start"], source["trim_end"])
        sources.append(Source(dest, source["title"], _info(source), pad, trim))
        await reporter.write(DOWNLOAD_SHARE * (index + 1) / len(rows))
    archive = workdir / "export.zip"
    pack_progress = Progress(total=len(sources), skipped=progress.skipped)
    task = asyncio.ensure_future(
        asyncio.to_thread(
            build_archive, archive, kind=row["kind"], name=name, bpm=bpm, sources=sources,
            options=options, progress=pack_progress,
        )
    )  # fmt: skip
    while not task.done():
        await asyncio.wait({task}, timeout=FLUSH_EVERY_S)
        await reporter.write(DOWNLOAD_SHARE + PACK_SHARE * pack_progress.share)
    report = task.result()
    if len(pack_progress.skipped) >= len(rows):
        raise ExportFailed("None of the samples could be decoded.")
    key = user_key(job.user_id, "exports", f"{row['id']}.zip")
    stored = await ctx.blobs.put_stream(key, _file_chunks(archive), content_type="application/zip")
    summary = {
        "entries": len(report.entries),
        "short_clips": report.short_clips,
        "clipped": report.clipped,
        "skipped": pack_progress.skipped,
        "settings_left_out": report.left_out,
    }
    return key, stored.size, summary


async def _end_job(
    conn: asyncpg.Connection, job: ClaimedJob, worker_id: str, error: str | None = None
) -> None:
    status: Literal["done", "failed"] = "done" if error is None else "failed"
    await finish_job(conn, job, worker_id=worker_id, status=status, error=error)


async def expire_export(ctx: Engine, user_id: uuid.UUID, export_id: uuid.UUID) -> bool:
    """Remove an overdue export's blob and mark it expired; False when it is not due."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["lock_expired"], export_id)
        if row is None:
            return False
        if row["blob_key"] is not None:
            # Removed while the row is locked: a download already answers 410 by the clock.
            await ctx.blobs.delete(row["blob_key"])
        await conn.execute(SQL["mark_expired"], export_id)
    return True


async def sweep_overdue(ctx: Engine, user_id: uuid.UUID) -> int:
    """Expire every overdue export of one producer; returns how many."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        overdue = [row["id"] for row in await conn.fetch(SQL["overdue_exports"])]
    return sum([await expire_export(ctx, user_id, export_id) for export_id in overdue])


async def _fail(
    ctx: Engine, job: ClaimedJob, worker_id: str, export_id: uuid.UUID, reason: str
) -> None:
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        await conn.execute(SQL["fail_export"], export_id, reason, {})
        await _end_job(conn, job, worker_id, reason)


async def run_export_job(ctx: Engine, job: ClaimedJob, worker_id: str) -> None:
    """Run one export job: build an export, or expire one."""
    try:
        export_id = uuid.UUID(str(job.payload.get("export_id")))
    except ValueError:
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            await _end_job(conn, job, worker_id, "no export for this job")
        return
    if job.payload.get("action") == "expire":
        await expire_export(ctx, job.user_id, export_id)
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            await _end_job(conn, job, worker_id)
        return
    await sweep_overdue(ctx, job.user_id)
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        row = await conn.fetchrow(SQL["start_export"], export_id)
        if row is None:  # deleted, or ended already: nothing to do and nothing to retry
            await _end_job(conn, job, worker_id)
            return
    reporter = _Reporter(ctx, job, worker_id, export_id)
    try:
        with tempfile.TemporaryDirectory(prefix="sp404-export-") as workdir:
            key, size, summary = await _build(ctx, job, reporter, row, Path(workdir))
    except ExportFailed as exc:
        await _fail(ctx, job, worker_id, export_id, str(exc))
        return
    except (Exception, asyncio.CancelledError) as exc:
        if isinstance(exc, asyncio.CancelledError) or job.attempts < job.max_attempts:
            raise  # retried later, or by another engine once the lease runs out
        log.exception("export failed", extra={"export_id": str(export_id)})
        await _fail(ctx, job, worker_id, export_id, "The export failed on our side.")
        return
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        expires_at = await conn.fetchval(
            SQL["finish_export"], export_id, key, size, EXPORT_TTL_S, {"report": summary}
        )
        if expires_at is None:  # deleted while it was built
            await ctx.blobs.delete(key)
        else:
            payload = {"export_id": str(export_id), "action": "expire"}
            await enqueue_job(
                conn, user_id=job.user_id, kind="export", priority=0, payload=payload,
                run_after=expires_at,
            )  # fmt: skip
        await _end_job(conn, job, worker_id)
    log.info("export ready", extra={"export_id": str(export_id), "size_bytes": size})


async def start_export_jobs(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Start-up hook of the engine: a job loop for `export` jobs inside the service."""
    ctx = Engine(app.state.pool, app.state.redis, app.state.blobs, app.state.settings)

    async def handler(pool: asyncpg.Pool, jobs: list[ClaimedJob], worker_id: str) -> None:
        for job in jobs:
            await run_export_job(ctx, job, worker_id)

    # An export in progress at shutdown is rebuilt by another engine once its lease runs out.
    return start_job_loop(
        app.state.pool, ctx.settings.database_url, {EXPORT_JOB: handler}, name="export-jobs"
    )
