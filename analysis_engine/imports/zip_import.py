"""Batch import, the HTTP half: stream the ZIP to the blob store, queue its job, show progress.

The archive does not count as storage while it waits (it is deleted when the import ends), but
it may be no larger than the storage the producer has left: the samples inside will need it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.samples.upload import clean_filename, parse_tags
from sp404.billing import storage_quota
from sp404.core.audit import Hidden, owner_tx
from sp404.core.db import tenant_tx
from sp404.core.errors import (
    BadRequest,
    PayloadTooLarge,
    QuotaExceeded,
    TooManyRequests,
    Unprocessable,
    UnsupportedMediaType,
)
from sp404.core.queries import load_queries
from sp404.jobs import enqueue_job
from sp404.storage import BlobTooLarge, MalformedBody, MultipartStream, read_field, user_key

SQL = load_queries(Path(__file__).with_name("queries.sql"))
BATCH_IMPORT_JOB = "batch_import"
MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_ACTIVE_IMPORTS = 3
# A retried import never stores a file twice, so a few attempts are safe (engine restarts).
IMPORT_ATTEMPTS = 5
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class MissingArchive(Unprocessable):
    """Attach the ZIP archive in a form field named "archive"."""

    code = "missing_archive"


class NotAZip(UnsupportedMediaType):
    """That is not a ZIP archive."""

    code = "unsupported_archive"


class TooManyImports(TooManyRequests):
    """Wait for one of your imports to finish before starting another."""

    code = "too_many_imports"


async def _archive_bytes(
    events: AsyncIterator[tuple[str, Any]], head: bytearray
) -> AsyncIterator[bytes]:
    async for kind, payload in events:
        if kind == "end":
            return
        if kind == "data" and payload:
            if len(head) < 4:
                head += payload[: 4 - len(head)]
            yield payload


async def _receive(
    ctx: Engine, content_type: str | None, body: AsyncIterator[bytes], key: str, max_bytes: int
) -> tuple[str, int, dict[str, str]]:
    events = MultipartStream(content_type, body).events()
    fields: dict[str, str] = {}
    filename, size, head = "", -1, bytearray()
    async for kind, part in events:
        if kind != "part":
            continue
        if part.filename is None:
            fields[part.name] = await read_field(events)
        elif part.name == "archive" and size < 0:
            filename = clean_filename(part.filename)
            stored = await ctx.blobs.put_stream(
                key,
                _archive_bytes(events, head),
                max_bytes=max_bytes,
                content_type="application/zip",
            )
            size = stored.size
        else:
            raise BadRequest('Send exactly one file, in the field named "archive".')
    if size < 0:
        raise MissingArchive()
    # Checked once the body is read (as for audio uploads), so the client gets the answer
    # rather than a connection reset; the smallest ZIP is its 22-byte end record.
    if size < 22 or bytes(head[:4]) not in ZIP_MAGIC:
        raise NotAZip()
    return filename, size, fields


def _batch_fields(fields: dict[str, str]) -> dict[str, str]:
    """The optional `tags` and `genre` applied to every sample of the import (checked now)."""
    kept = {}
    if fields.get("tags"):
        kept["tags"] = ",".join(parse_tags(fields["tags"]))
    genre = " ".join(fields.get("genre", "").split())
    if genre:
        if len(genre) > 60:
            raise Unprocessable("A genre can be up to 60 characters.")
        kept["genre"] = genre
    return kept


async def start_import(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    content_type: str | None,
    content_length: int | None,
    body: AsyncIterator[bytes],
) -> dict[str, Any]:
    """Store the uploaded ZIP and queue its import; returns the 202 body."""
    if content_length is not None and content_length > MAX_ARCHIVE_BYTES + 64 * 1024:
        raise PayloadTooLarge(f"Archives can be up to {MAX_ARCHIVE_BYTES // 1024**3} GB.")
    if content_length == 0:
        raise MalformedBody("The body is empty.")
    async with tenant_tx(ctx.pool, user_id) as conn:
        if await conn.fetchval(SQL["count_active_imports"]) >= MAX_ACTIVE_IMPORTS:
            raise TooManyImports(retry_after=30)
    # The reservation caps the archive at the storage left and holds an upload slot while it
    # arrives; it is given back (as 0 bytes used) when the import is queued.
    wanted = min(content_length or MAX_ARCHIVE_BYTES, MAX_ARCHIVE_BYTES)
    reservation = await storage_quota.reserve(ctx.pool, user_id, wanted=wanted, exact=False)
    import_id = uuid.uuid4()
    key = user_key(user_id, "imports", f"{import_id}.zip")
    try:
        try:
            filename, size, raw_fields = await _receive(
                ctx, content_type, body, key, reservation.bytes
            )
        except BlobTooLarge as exc:
            if reservation.bytes < MAX_ARCHIVE_BYTES:
                raise QuotaExceeded(
                    "Storage: this archive is larger than what is left of your plan.",
                    details={"quota": "storage"},
                ) from exc
            raise PayloadTooLarge(
                f"Archives can be up to {MAX_ARCHIVE_BYTES // 1024**3} GB."
            ) from exc
        fields = _batch_fields(raw_fields)
        async with tenant_tx(ctx.pool, user_id) as conn:
            job_id = await enqueue_job(
                conn,
                user_id=user_id,
                kind=BATCH_IMPORT_JOB,
                priority=reservation.queue_priority,
                payload={"import_id": str(import_id)},
                max_attempts=IMPORT_ATTEMPTS,
            )
            await conn.execute(
                SQL["insert_import"], import_id, user_id, job_id, key, filename or "archive.zip",
                size, fields,
            )  # fmt: skip
            if await storage_quota.settle(conn, reservation, used=0) is None:
                raise Unprocessable("The upload took too long; please try again.")
    except BaseException:
        # Whatever went wrong: no archive, no row, no held quota remains.
        await ctx.blobs.delete(key)
        await storage_quota.release(ctx.pool, reservation)
        raise
    return {
        "import_id": str(import_id),
        "job_id": str(job_id),
        "status": "queued",
        "filename": filename or "archive.zip",
        "size_bytes": size,
    }


def _status(row: Any) -> str:
    # An import whose job died (every attempt failed, or the lease ran out on the last one)
    # will not move again, whatever its own row last said.
    if row["status"] in ("queued", "running") and row["job_status"] in ("dead", "cancelled"):
        return "failed"
    return str(row["status"])


def import_view(row: Any, *, with_files: bool) -> dict[str, Any]:
    """An import as the API shows it."""
    status = _status(row)
    final = status not in ("queued", "running")
    view: dict[str, Any] = {
        "import_id": row["id"],
        "job_id": row["job_id"],
        "status": status,
        "progress": 1.0 if final else float(row["progress"] or 0.0),
        "filename": row["archive_filename"],
        "size_bytes": row["archive_bytes"],
        "counts": {
            "entries": row["entries_total"],
            "stored": row["stored_count"],
            "skipped": row["skipped_count"],
            "failed": row["failed_count"],
        },
        "stored_bytes": row["stored_bytes"],
        "reason": row["reason"],
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
    }
    if with_files:
        view["files"] = row["report"]
    jsonable: dict[str, Any] = json.loads(json.dumps(view, default=str))
    return jsonable


async def get_import(ctx: Engine, *, user_id: uuid.UUID, import_id: uuid.UUID) -> dict[str, Any]:
    """One of the caller's imports, with its per-file report."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_import"], import_id)
        if row is None:
            raise Hidden("import", import_id)
    return import_view(row, with_files=True)


async def list_imports(
    ctx: Engine, *, user_id: uuid.UUID, limit: int, offset: int
) -> dict[str, Any]:
    """The caller's recent imports, a page at a time."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        rows = await conn.fetch(SQL["list_imports"], limit, offset)
    return {
        "imports": [import_view(row, with_files=False) for row in rows],
        "total": rows[0]["total"] if rows else 0,
        "limit": limit,
        "offset": offset,
    }
