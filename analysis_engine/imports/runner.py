"""Batch import, the job half: fetch the ZIP, ingest each audio entry exactly like an upload,
record progress and a per-file report, and delete the archive when the import ends."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import FastAPI

from analysis_engine.context import Engine
from analysis_engine.imports import archive
from analysis_engine.imports.zip_import import BATCH_IMPORT_JOB, SQL
from analysis_engine.samples.upload import DuplicateSample, ingest_local_file
from sp404.core.db import tenant_tx
from sp404.core.errors import AppError, QuotaExceeded
from sp404.jobs import ClaimedJob, finish_job, record_progress, start_job_loop
from sp404.storage import BlobNotFound

log = logging.getLogger("imports")
FLUSH_EVERY_S = 1.0
# Another upload of the producer may hold their only upload slot for a moment.
SLOT_WAIT_S = 1.0
SLOT_TRIES = 60


class ImportStopped(Exception):
    """The import stops here (quota); what was stored stays."""


@dataclass
class Report:
    """What happened to each entry, and the totals the API shows."""

    entries: int = 0
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    stored_bytes: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        entry: archive.Entry,
        status: str,
        reason: str | None = None,
        sample: dict[str, Any] | None = None,
        duplicate_of: str | None = None,
    ) -> None:
        """Record one entry's outcome (a duplicate names the sample it duplicates)."""
        record: dict[str, Any] = {
            "path": entry.path,
            "filename": entry.filename,
            "status": status,
            "reason": reason,
        }
        if duplicate_of is not None:
            record["duplicate_of"] = duplicate_of
        if sample is not None:
            record.update(
                sample_id=str(sample["sample_id"]),
                size_bytes=sample["size_bytes"],
                job_id=None if sample.get("job_id") is None else str(sample["job_id"]),
            )
            self.stored += 1
            self.stored_bytes += int(sample["size_bytes"])
        elif status == "skipped":
            self.skipped += 1
        elif status == "failed":
            self.failed += 1
        self.files.append(record)

    def counts(self) -> tuple[int, int, int, int, int]:
        return self.entries, self.stored, self.skipped, self.failed, self.stored_bytes


async def _download(ctx: Engine, key: str, dest: Path) -> None:
    with dest.open("wb") as out:  # each write below is offloaded
        async for chunk in await ctx.blobs.open_read(key):
            await asyncio.to_thread(out.write, chunk)


async def _ingest(
    ctx: Engine,
    user_id: uuid.UUID,
    path: Path,
    entry: archive.Entry,
    fields: dict[str, str],
    import_id: uuid.UUID,
) -> dict[str, Any]:
    metadata = {"import_id": str(import_id), "import_entry": entry.index, "import_path": entry.path}
    tries = 0
    while True:
        try:
            body, _ = await ingest_local_file(
                ctx,
                user_id=user_id,
                path=path,
                filename=entry.filename,
                fields=dict(fields),
                extra_metadata=metadata,
            )
            return body
        except QuotaExceeded as exc:
            tries += 1
            if exc.details.get("quota") != "concurrent_uploads" or tries >= SLOT_TRIES:
                raise ImportStopped(exc.message) from exc
        await asyncio.sleep(SLOT_WAIT_S)


class _Progress:
    """Writes counters, report and job progress, at most once a second."""

    def __init__(
        self, pool: asyncpg.Pool, job: ClaimedJob, worker_id: str, import_id: uuid.UUID
    ) -> None:
        self.pool, self.job, self.worker_id, self.import_id = pool, job, worker_id, import_id
        self.last = 0.0

    async def write(self, report: Report, done: int) -> None:
        now = time.monotonic()
        if now - self.last < FLUSH_EVERY_S:
            return
        self.last = now
        progress = done / report.entries if report.entries else 0.0
        async with tenant_tx(self.pool, self.job.user_id) as conn:
            await conn.execute(
                SQL["record_import_progress"], self.import_id, *report.counts(), report.files
            )
            await record_progress(
                conn, self.job, worker_id=self.worker_id, progress=min(progress, 0.99)
            )


async def _import_entries(
    ctx: Engine, job: ClaimedJob, worker_id: str, row: Any, workdir: Path, report: Report
) -> tuple[str, str | None]:
    """Ingest every entry; returns the final status and its reason."""
    import_id: uuid.UUID = row["id"]
    zip_path = workdir / "archive.zip"
    await _download(ctx, row["archive_key"], zip_path)
    try:
        zf = await asyncio.to_thread(archive.open_archive, zip_path)
    except archive.ArchiveRefused as exc:
        return "refused", str(exc)
    with zf:
        try:
            entries = await asyncio.to_thread(
                archive.plan_entries, zf, max_entry_bytes=ctx.settings.max_upload_bytes
            )
        except archive.ArchiveRefused as exc:
            return "refused", str(exc)
        report.entries = len(entries)
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            earlier = {
                r["entry"]: r for r in await conn.fetch(SQL["samples_of_import"], str(import_id))
            }
        progress = _Progress(ctx.pool, job, worker_id, import_id)
        fields: dict[str, str] = dict(row["fields"] or {})
        expanded = 0
        for done, entry in enumerate(entries):
            await progress.write(report, done)
            if entry.skip is not None:
                report.add(entry, "skipped", entry.skip)
                continue
            if entry.index in earlier:  # stored by an earlier attempt of this job
                found = earlier[entry.index]
                report.add(
                    entry,
                    "stored",
                    sample={"sample_id": found["id"], "size_bytes": found["size_bytes"]},
                )
                continue
            # Generated name in our own temp dir: the entry's name never touches the disk.
            dest = workdir / f"entry-{entry.index}"
            try:
                expanded += await asyncio.to_thread(archive.extract_entry, zf, entry, dest)
                if expanded > archive.MAX_TOTAL_BYTES:
                    raise archive.ArchiveRefused("The archive expands past its declared size.")
                sample = await _ingest(ctx, job.user_id, dest, entry, fields, import_id)
                report.add(entry, "stored", sample=sample)
            except DuplicateSample as exc:
                report.add(
                    entry,
                    "skipped",
                    "already in your library",
                    duplicate_of=exc.details["sample_id"],
                )
            except archive.EntrySkipped as exc:
                report.add(entry, "skipped", str(exc))
            except archive.EntryFailed as exc:
                report.add(entry, "failed", str(exc))
            except archive.ArchiveRefused as exc:
                _not_imported(report, entries[done:], "the archive was refused")
                return "refused", str(exc)
            except ImportStopped as exc:
                _not_imported(report, entries[done:], "not imported: the import stopped")
                return "stopped", f"Stopped after {report.stored} stored files: {exc}"
            except AppError as exc:  # refused like an upload would be: bad audio, too large
                report.add(entry, "failed", exc.message)
            finally:
                dest.unlink(missing_ok=True)
    return "done", None


def _not_imported(report: Report, rest: list[archive.Entry], reason: str) -> None:
    for entry in rest:
        report.add(entry, "not_imported", reason)


async def _finish(
    ctx: Engine,
    job: ClaimedJob,
    worker_id: str,
    row: Any,
    status: str,
    reason: str | None,
    report: Report,
) -> None:
    async with tenant_tx(ctx.pool, job.user_id) as conn:
        await conn.execute(
            SQL["finish_import"], row["id"], status, *report.counts(), report.files, reason
        )
        await finish_job(
            conn,
            job,
            worker_id=worker_id,
            status="failed" if status in ("refused", "failed") else "done",
            error=reason,
        )
    # After the commit, as for a deleted sample: a failed delete leaves an orphan, never a
    # row pointing at nothing.
    await ctx.blobs.delete(row["archive_key"])
    log.info(
        "import finished",
        extra={
            "import_id": str(row["id"]),
            "status": status,
            "stored": report.stored,
            "failed": report.failed,
        },
    )


async def run_import_job(ctx: Engine, job: ClaimedJob, worker_id: str) -> None:
    """Run one batch_import job to its end (or raise for a retry on an unexpected error)."""
    try:
        import_id = uuid.UUID(str(job.payload.get("import_id")))
    except ValueError:
        import_id = None
    row, started = None, False
    if import_id is not None:
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            row = await conn.fetchrow(SQL["fetch_import"], import_id)
            started = row is not None and bool(await conn.fetchval(SQL["start_import"], import_id))
    if row is None or not started:
        # Nothing to do and nothing to retry: no such import, or it ended already.
        error = "no import for this job" if row is None else "the import had already ended"
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            await finish_job(
                conn, job, worker_id=worker_id, status="failed" if row is None else "done",
                error=error,
            )  # fmt: skip
        return
    report = Report()
    try:
        with tempfile.TemporaryDirectory(prefix="sp404-import-") as workdir:
            status, reason = await _import_entries(ctx, job, worker_id, row, Path(workdir), report)
    except BlobNotFound:
        status, reason = "failed", "The uploaded archive is gone."
    except (Exception, asyncio.CancelledError) as exc:
        if isinstance(exc, asyncio.CancelledError) or job.attempts < job.max_attempts:
            raise  # the worker retries later (or the lease runs out and another engine does)
        log.exception("import failed", extra={"import_id": str(import_id)})
        status, reason = "failed", "The import failed on our side; the files listed were stored."
    await _finish(ctx, job, worker_id, row, status, reason, report)


async def run_import_batch(ctx: Engine, jobs: list[ClaimedJob], worker_id: str) -> None:
    """The batch handler: imports run one after another."""
    for job in jobs:
        await run_import_job(ctx, job, worker_id)


async def start_import_jobs(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Start-up hook of the engine: a job loop for `batch_import` jobs inside the service."""
    ctx = Engine(app.state.pool, app.state.redis, app.state.blobs, app.state.settings)

    async def handler(pool: asyncpg.Pool, jobs: list[ClaimedJob], worker_id: str) -> None:
        await run_import_batch(ctx, jobs, worker_id)

    # An import in progress at shutdown is resumed by another engine once its lease runs out,
    # without storing any file twice.
    return start_job_loop(
        app.state.pool, ctx.settings.database_url, {BATCH_IMPORT_JOB: handler}, name="import-jobs"
    )
