"""One upload, start to finish: reserve quota, stream to the blob store while hashing and
counting, check the audio, then commit the sample, its job and the quota in one transaction.
Any refusal or failure on the way leaves no blob, no row and no reservation behind."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.samples.formats import UnsupportedAudio, check_audio, sniff
from sp404.billing import storage_quota
from sp404.core.db import tenant_tx
from sp404.core.errors import (
    BadRequest,
    Conflict,
    PayloadTooLarge,
    QuotaExceeded,
    Unprocessable,
)
from sp404.core.queries import load_queries
from sp404.jobs import enqueue_job
from sp404.storage import BlobTooLarge, MalformedBody, MultipartStream, read_field, user_key

SQL = load_queries(Path(__file__).with_name("queries.sql"))
MAX_TAGS = 32
MAX_TAG_LENGTH = 40
DEFAULT_SECONDS_PER_JOB = 2.0


class MissingAudio(Unprocessable):
    """Attach the audio file in a form field named "audio"."""

    code = "missing_audio"


class DuplicateSample(Conflict):
    """This audio is already in your library."""

    code = "duplicate_sample"


class EmptyAudio(Unprocessable):
    """The uploaded file is empty."""

    code = "empty_file"


@dataclass
class Received:
    """What arrived: the file on its way to the blob store and the form fields."""

    filename: str = ""
    head: bytes = b""
    size: int = 0
    sha256: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def clean_filename(raw: str | None) -> str:
    """The base name of an uploaded file (no directories, printable, at most 255 characters)."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\\/").strip()
    return (name or "upload")[:255]


def parse_tags(raw: str | None) -> list[str]:
    """Comma-separated tags, trimmed, lower-cased, de-duplicated, bounded."""
    tags: list[str] = []
    for part in (raw or "").split(","):
        tag = " ".join(part.split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise Unprocessable(f"Tags can be up to {MAX_TAG_LENGTH} characters.")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Unprocessable(f"At most {MAX_TAGS} tags per sample.")
    return tags


async def _tee_file(
    events: AsyncIterator[tuple[str, Any]], spool: Any, received: Received
) -> AsyncIterator[bytes]:
    """The file part's bytes, also written to a local spool for the decode check."""
    async for kind, payload in events:
        if kind == "end":
            return
        if kind == "data" and payload:
            if len(received.head) < 64:
                received.head += payload[: 64 - len(received.head)]
            received.size += len(payload)
            await asyncio.to_thread(spool.write, payload)
            yield payload


async def _receive(
    ctx: Engine,
    content_type: str | None,
    body: AsyncIterator[bytes],
    key: str,
    spool: Any,
    max_bytes: int,
) -> Received:
    received = Received()
    stream = MultipartStream(content_type, body)
    events = stream.events()
    stored = False
    async for kind, part in events:
        if kind != "part":
            continue
        if part.filename is None:
            received.fields[part.name] = await read_field(events)
        elif part.name == "audio" and not stored:
            received.filename = clean_filename(part.filename)
            blob = await ctx.blobs.put_stream(
                key, _tee_file(events, spool, received), max_bytes=max_bytes, content_type=None
            )
            received.sha256 = blob.sha256
            stored = True
        else:
            raise BadRequest('Send exactly one file, in the field named "audio".')
    if not stored:
        raise MissingAudio()
    return received


async def _estimate_completion(ctx: Engine, priority: int) -> dt.datetime:
    async with tenant_tx(ctx.pool, None) as conn:
        stats = await conn.fetchrow(SQL["queue_stats"], "analyze", priority)
    per_job = 600 / stats["done_recently"] if stats["done_recently"] else DEFAULT_SECONDS_PER_JOB
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=(stats["ahead"] + 1) * per_job)


async def upload_sample(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    content_type: str | None,
    content_length: int | None,
    body: AsyncIterator[bytes],
) -> tuple[dict[str, Any], str | None]:
    """Store one uploaded sample; returns the PRD body and a quota warning, if any."""
    limit = ctx.settings.max_upload_bytes
    if content_length is not None and content_length > limit + 64 * 1024:
        raise PayloadTooLarge(f"Files can be up to {limit // (1024 * 1024)} MB.")
    if content_length == 0:
        raise MalformedBody("The body is empty.")
    exact = content_length is not None
    reservation = await storage_quota.reserve(
        ctx.pool, user_id, wanted=min(content_length or limit, limit), exact=exact
    )
    sample_id = uuid.uuid4()
    key = user_key(user_id, "samples", str(sample_id))
    spool_fd, spool_name = tempfile.mkstemp(prefix="sp404-upload-")
    try:
        with os.fdopen(spool_fd, "wb") as spool:
            try:
                received = await _receive(ctx, content_type, body, key, spool, reservation.bytes)
            except BlobTooLarge as exc:
                if reservation.bytes < limit:
                    raise QuotaExceeded(
                        "Storage: this upload does not fit in what is left of your plan.",
                        details={"quota": "storage"},
                    ) from exc
                raise PayloadTooLarge(f"Files can be up to {limit // (1024 * 1024)} MB.") from exc
        if received.size == 0:
            raise EmptyAudio()
        fmt = sniff(received.head)
        if fmt is None:
            raise UnsupportedAudio()
        info = await asyncio.to_thread(check_audio, Path(spool_name), fmt)
        result = await commit_sample(ctx, user_id, sample_id, key, received, info, reservation)
    except BaseException:
        # Whatever went wrong, and wherever: no blob, no row, no held quota remains.
        await ctx.blobs.delete(key)
        await storage_quota.release(ctx.pool, reservation)
        raise
    finally:
        os.unlink(spool_name)
    return result


async def commit_sample(
    ctx: Engine,
    user_id: uuid.UUID,
    sample_id: uuid.UUID,
    key: str,
    received: Received,
    info: Any,
    reservation: storage_quota.Reservation,
    *,
    extra_metadata: dict[str, Any] | None = None,
    allow_duplicates: bool = False,
) -> tuple[dict[str, Any], str | None]:
    """Create the sample row, its analysis job and the settled quota in one transaction;
    DuplicateSample (409, with the existing `sample_id`) when the producer has this audio."""
    title = " ".join((received.fields.get("title") or Path(received.filename).stem).split())[:200]
    genre = " ".join(received.fields.get("genre", "").split())[:60] or None
    tags = parse_tags(received.fields.get("tags"))
    async with tenant_tx(ctx.pool, user_id) as conn:
        if not allow_duplicates:
            # Two uploads of one file at once wait for each other here, so one of them sees
            # the other's row (the index is not unique: older libraries may hold duplicates).
            await conn.execute(SQL["lock_sample_hash"], f"{user_id}:{received.sha256}")
            existing = await conn.fetchval(SQL["sample_with_sha256"], received.sha256)
            if existing is not None:
                raise DuplicateSample(details={"sample_id": str(existing)})
        analyse = await conn.fetchval(SQL["auto_analyze_enabled"])
        await conn.fetchrow(
            SQL["insert_sample"],
            sample_id,
            user_id,
            title or "Untitled",
            received.filename,
            info.format,
            received.size,
            received.sha256,
            key,
            genre,
            tags,
            info.duration_s,
            info.sample_rate,
            info.channels,
            "pending" if analyse else "skipped",
            extra_metadata or {},
        )
        job_id = None
        if analyse:
            job_id = await enqueue_job(
                conn,
                user_id=user_id,
                kind="analyze",
                priority=reservation.queue_priority,
                sample_id=sample_id,
            )
        if await storage_quota.settle(conn, reservation, used=received.size) is None:
            raise Unprocessable("The upload took too long; please try again.")
        usage = await storage_quota.storage_usage(conn)
    estimate = await _estimate_completion(ctx, reservation.queue_priority) if analyse else None
    body = {
        "job_id": job_id,
        "sample_id": sample_id,
        "status": "pending" if analyse else "stored",
        "filename": received.filename,
        "estimated_completion": estimate,
        "size_bytes": received.size,
        "sha256": received.sha256,
        "format": info.format,
        "duration": info.duration_s,
    }
    return body, storage_quota.storage_warning(usage)


async def _file_chunks(path: Path, size: int = 1 << 20) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, size):
            yield chunk


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(64)


async def ingest_local_file(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    path: Path,
    filename: str,
    fields: dict[str, str],
    extra_metadata: dict[str, Any] | None = None,
    allow_duplicates: bool = False,
) -> tuple[dict[str, Any], str | None]:
    """Store a file that is already on local disk (batch and legacy imports) exactly like an
    upload: same quota, same checks, same single commit, nothing left behind on failure."""
    size = (await asyncio.to_thread(path.stat)).st_size
    if size > ctx.settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"{filename}: files can be up to {ctx.settings.max_upload_bytes // (1024 * 1024)} MB."
        )
    if size == 0:
        raise EmptyAudio(f"{filename}: the file is empty.")
    fmt = sniff(await asyncio.to_thread(_head, path))
    if fmt is None:
        raise UnsupportedAudio(f"{filename}: not a supported audio file.")
    info = await asyncio.to_thread(check_audio, path, fmt)
    reservation = await storage_quota.reserve(ctx.pool, user_id, wanted=size, exact=True)
    sample_id = uuid.uuid4()
    key = user_key(user_id, "samples", str(sample_id))
    try:
        blob = await ctx.blobs.put_stream(
            key, _file_chunks(path), max_bytes=size, content_type=None
        )
        received = Received(
            filename=clean_filename(filename), size=blob.size, sha256=blob.sha256, fields=fields
        )
        return await commit_sample(
            ctx, user_id, sample_id, key, received, info, reservation,
            extra_metadata=extra_metadata, allow_duplicates=allow_duplicates,
        )  # fmt: skip
    except BaseException:
        await ctx.blobs.delete(key)
        await storage_quota.release(ctx.pool, reservation)
        raise
