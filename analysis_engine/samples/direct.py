"""Direct uploads for large files: the browser PUTs straight to storage with a presigned URL
limited to the declared size, then asks us to complete; completion runs the same checks and the
same single commit as a streamed upload."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.quotas import storage_quota
from analysis_engine.samples.formats import UnsupportedAudio, check_audio, sniff
from analysis_engine.samples.upload import EmptyAudio, Received, clean_filename, commit_sample
from storage import user_key
from tenancy.audit import deny_access
from tenancy.db import tenant_tx
from tenancy.errors import PayloadTooLarge, Unprocessable

URL_TTL_S = 3600
# The reservation outlives the URL a little, so an upload finishing at the deadline can complete.
RESERVATION_TTL_S = URL_TTL_S + 900


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
    key = user_key(user_id, "samples", str(uuid.uuid4()))
    reservation = await storage_quota.reserve(
        ctx.pool,
        user_id,
        wanted=size,
        exact=True,
        ttl_s=RESERVATION_TTL_S,
        direct=storage_quota.DirectUpload(key, clean_filename(filename), fields),
    )
    try:
        presigned = await ctx.blobs.presign_put(
            key,
            max_bytes=size,
            content_type=content_type or "application/octet-stream",
            expires_s=URL_TTL_S,
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
    async with tenant_tx(ctx.pool, user_id) as conn:
        pending = await conn.fetchrow(storage_quota.SQL["fetch_direct_upload"], upload_id)
    if pending is None:
        raise await deny_access(
            ctx.pool, user_id=user_id, target_type="upload", target_id=upload_id
        )
    reservation = storage_quota.Reservation(
        pending["id"], user_id, pending["bytes"], await _priority(ctx, user_id)
    )
    key = pending["blob_key"]
    info_on_store = await ctx.blobs.stat(key)
    if info_on_store is None:
        raise UploadNotReceived()
    fd, spool_name = tempfile.mkstemp(prefix="sp404-direct-")
    try:
        try:
            digest = hashlib.sha256()
            head = b""
            size = 0
            with os.fdopen(fd, "wb") as spool:
                async for chunk in await ctx.blobs.open_read(key):
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
            received = Received(
                filename=pending["filename"],
                head=head,
                size=size,
                sha256=digest.hexdigest(),
                fields=dict(pending["fields"]),
            )
            return await commit_sample(
                ctx, user_id, uuid.UUID(key.rsplit("/", 1)[1]), key, received, info, reservation
            )
        except (Unprocessable, PayloadTooLarge, UnsupportedAudio):
            await ctx.blobs.delete(key)
            await storage_quota.release(ctx.pool, reservation)
            raise
    finally:
        os.unlink(spool_name)


async def _priority(ctx: Engine, user_id: uuid.UUID) -> int:
    usage = await storage_quota.current_usage(ctx.pool, user_id)
    return int(usage["queue_priority"])


async def cancel_direct_upload(ctx: Engine, *, user_id: uuid.UUID, upload_id: uuid.UUID) -> None:
    """Abandon a direct upload: its reserved storage comes back and any bytes sent are removed."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        pending = await conn.fetchrow(storage_quota.SQL["fetch_direct_upload"], upload_id)
    if pending is None:
        raise await deny_access(
            ctx.pool, user_id=user_id, target_type="upload", target_id=upload_id
        )
    await ctx.blobs.delete(pending["blob_key"])
    reservation = storage_quota.Reservation(pending["id"], user_id, pending["bytes"], 0)
    await storage_quota.release(ctx.pool, reservation)
