"""Direct uploads for large files: the browser PUTs straight to storage with a presigned URL
limited to the declared size, then asks us to complete; completion runs the same checks and the
same single commit as a streamed upload.

The URL writes to the upload's staging key (`users/{id}/staging/{upload_id}`), never to a
sample's: completion checks what was staged, stores exactly those checked bytes under a fresh
sample key and deletes the staged file. An old URL therefore cannot touch a sample, and whatever
it writes once its upload is closed is refused (local store) or swept (S3, see staging.py)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.samples.formats import UnsupportedAudio, check_audio, sniff
from analysis_engine.samples.upload import (
    DuplicateSample,
    EmptyAudio,
    Received,
    clean_filename,
    commit_sample,
)
from sp404.billing import storage_quota
from sp404.core.audit import Hidden, owner_tx
from sp404.core.errors import PayloadTooLarge, Unprocessable
from sp404.storage import StorageError, staging_key, user_key

log = logging.getLogger(__name__)

# The reservation outlives the URL a little, so an upload finishing at the deadline can complete.
COMPLETION_GRACE_S = 900


class UploadNotReceived(Unprocessable):
    """The file has not arrived in storage (or not completely): upload it first."""

    code = "upload_incomplete"


async def start_direct_upload(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    filename: str,
    size: int,
    content_type: str | None,
    fields: dict[str, str],
) -> dict[str, Any]:
    """Reserve the declared size and hand out a presigned PUT limited to it."""
    limit = ctx.settings.max_upload_bytes
    if size > limit:
        raise PayloadTooLarge(f"Files can be up to {limit // (1024 * 1024)} MB.")
    upload_id = uuid.uuid4()
    key = staging_key(user_id, upload_id)
    url_ttl_s = ctx.settings.direct_upload_url_ttl_s
    reservation = await storage_quota.reserve(
        ctx.pool,
        user_id,
        wanted=size,
        exact=True,
        ttl_s=url_ttl_s + COMPLETION_GRACE_S,
        direct=storage_quota.DirectUpload(upload_id, key, clean_filename(filename), fields),
    )
    try:
        presigned = await ctx.blobs.presign_put(
            key,
            max_bytes=size,
            content_type=content_type or "application/octet-stream",
            expires_s=url_ttl_s,
        )
    except BaseException:
        await storage_quota.release(ctx.pool, reservation)
        raise
    return {
        "upload_id": reservation.id,
        "url": presigned.url,
        "method": presigned.method,
        "headers": dict(presigned.headers),
        "fields": dict(getattr(presigned, "fields", {}) or {}),
        "expires_at": presigned.expires_at,
        "max_bytes": size,
    }


async def complete_direct_upload(
    ctx: Engine, *, user_id: uuid.UUID, upload_id: uuid.UUID
) -> tuple[dict[str, Any], str | None]:
    """Check what arrived and commit it as a sample (or remove it and free the reservation)."""
    async with owner_tx(ctx.pool, user_id) as conn:
        pending = await storage_quota.fetch_direct_upload(conn, upload_id)
        if pending is None:
            raise Hidden("upload", upload_id)
    reservation = storage_quota.Reservation(
        pending["id"], user_id, pending["bytes"], await _priority(ctx, user_id)
    )
    staged = pending["blob_key"]
    if await ctx.blobs.stat(staged) is None:
        raise UploadNotReceived()
    # A fresh key per attempt: two racing completions never write the same sample file.
    sample_id = uuid.uuid4()
    key = user_key(user_id, "samples", str(sample_id))
    committed = False
    fd, spool_name = tempfile.mkstemp(prefix="sp404-direct-")
    try:
        try:
            digest = hashlib.sha256()
            head = b""
            size = 0
            with os.fdopen(fd, "wb") as spool:
                async for chunk in await ctx.blobs.open_read(staged):
                    size += len(chunk)
                    if size > pending["bytes"]:
                        raise PayloadTooLarge("The file is larger than declared.")
                    if len(head) < 64:
                        head += chunk[: 64 - len(head)]
                    digest.update(chunk)
                    await asyncio.to_thread(spool.write, chunk)
            if size == 0:
                raise EmptyAudio()
            fmt = sniff(head)
            if fmt is None:
                raise UnsupportedAudio()
            info = await asyncio.to_thread(check_audio, Path(spool_name), fmt)
            # The sample keeps exactly the bytes just checked, copied from our spool: an S3 URL
            # that has not expired yet may still rewrite the staged file, never this key.
            await ctx.blobs.put_stream(
                key, _spooled(Path(spool_name)), max_bytes=size, content_type=None
            )
            received = Received(
                filename=pending["filename"],
                head=head,
                size=size,
                sha256=digest.hexdigest(),
                fields=dict(pending["fields"]),
            )
            result = await commit_sample(ctx, user_id, sample_id, key, received, info, reservation)
            committed = True
            return result
        except (Unprocessable, PayloadTooLarge, UnsupportedAudio, DuplicateSample):
            await ctx.blobs.delete(staged)
            await storage_quota.release(ctx.pool, reservation)
            raise
    finally:
        os.unlink(spool_name)
        if committed:
            await _delete_staged(ctx, staged)
        else:
            await ctx.blobs.delete(key)


async def _spooled(path: Path, size: int = 1 << 20) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, size):
            yield chunk


async def _delete_staged(ctx: Engine, staged: str) -> None:
    try:
        await ctx.blobs.delete(staged)
    except StorageError:
        # The sample is committed; the sweeper removes the staged copy later.
        log.warning("deleting a staged upload failed", extra={"key": staged}, exc_info=True)


async def _priority(ctx: Engine, user_id: uuid.UUID) -> int:
    usage = await storage_quota.current_usage(ctx.pool, user_id)
    return int(usage["queue_priority"])


async def cancel_direct_upload(ctx: Engine, *, user_id: uuid.UUID, upload_id: uuid.UUID) -> None:
    """Abandon a direct upload: its reserved storage comes back and any bytes sent are removed."""
    async with owner_tx(ctx.pool, user_id) as conn:
        pending = await storage_quota.fetch_direct_upload(conn, upload_id)
        if pending is None:
            raise Hidden("upload", upload_id)
    # Released first: from then on the local store refuses the URL and the sweeper may delete
    # what an S3 URL writes later.
    reservation = storage_quota.Reservation(pending["id"], user_id, pending["bytes"], 0)
    await storage_quota.release(ctx.pool, reservation)
    await ctx.blobs.delete(pending["blob_key"])
