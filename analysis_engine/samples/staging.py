"""The staging area of direct uploads: which staged files may still be written, and the sweeper
that deletes the others.

A direct upload's URL writes to `users/{id}/staging/{upload_id}` only, never to a sample's key,
so a sample's file cannot change once it is committed. The local store asks `upload_gate` before
and after every write; S3 cannot revoke a presigned URL, so whatever an old URL writes after its
upload closed (completed, cancelled, expired) is deleted by the sweeper, which the engine runs
every `staging_sweep_interval_s` and `sp404 admin reconcile-storage` runs on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI
from starlette.requests import Request

from sp404.billing import storage_quota
from sp404.core.db import tenant_tx
from sp404.storage import BlobStore, ListedBlob, parse_staging_key, user_key
from sp404.storage.keys import STAGING

log = logging.getLogger(__name__)


async def upload_is_open(pool: asyncpg.Pool, key: str) -> bool:
    """Whether `key` is the staging key of a direct upload that is still open."""
    parsed = parse_staging_key(key)
    if parsed is None:
        return False
    user_id, upload_id = parsed
    async with tenant_tx(pool, user_id) as conn:
        return await storage_quota.direct_upload_is_open(conn, upload_id, key)


async def upload_gate(request: Request, key: str) -> bool:
    """The local store's `UploadGate`: a presigned PUT writes only into an open upload."""
    return await upload_is_open(request.app.state.pool, key)


async def closed_staging(
    pool: asyncpg.Pool, blobs: BlobStore, user_id: uuid.UUID
) -> list[ListedBlob]:
    """The user's staged files whose upload is no longer open."""
    staged = await blobs.list_blobs(user_key(user_id, STAGING))
    if not staged:
        return []
    async with tenant_tx(pool, user_id) as conn:
        still_open = await storage_quota.open_staging_keys(conn, [blob.key for blob in staged])
    return [blob for blob in staged if blob.key not in still_open]


async def sweep_user_staging(pool: asyncpg.Pool, blobs: BlobStore, user_id: uuid.UUID) -> int:
    """Delete the user's staged files whose upload is closed; returns how many."""
    closed = await closed_staging(pool, blobs, user_id)
    for blob in closed:
        # An upload never reopens, so a file found closed can go even if it was rewritten since.
        await blobs.delete(blob.key)
    return len(closed)


async def sweep_staging(pool: asyncpg.Pool, blobs: BlobStore) -> int:
    """Delete every staged file whose upload is closed, for every user; returns how many."""
    swept = 0
    for name in await blobs.list_folders("users"):
        try:
            user_id = uuid.UUID(name)
        except ValueError:
            continue
        swept += await sweep_user_staging(pool, blobs, user_id)
    return swept


async def _sweep_forever(pool: asyncpg.Pool, blobs: BlobStore, interval_s: float) -> None:
    while True:
        # Jitter spreads the sweeps of several engines; any of them may sweep.
        await asyncio.sleep(interval_s * random.uniform(0.5, 1.0))  # noqa: S311 - not a secret
        try:
            swept = await sweep_staging(pool, blobs)
        except Exception:
            log.warning("staging sweep failed; retrying next period", exc_info=True)
            continue
        if swept:
            log.info("staging sweep deleted files of closed uploads", extra={"swept": swept})


async def start_staging_sweeper(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Start-up hook of the engine: sweep closed uploads' staged files periodically."""
    interval = app.state.settings.staging_sweep_interval_s
    task = asyncio.create_task(
        _sweep_forever(app.state.pool, app.state.blobs, interval), name="staging-sweeper"
    )

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
