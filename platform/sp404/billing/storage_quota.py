"""Storage quota: reserve before bytes are accepted, settle after, release on failure.

Billing owns the usage counters and the upload reservations that hold room in them; the engine's
upload paths call these functions rather than writing either table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from sp404.core.db import tenant_tx
from sp404.core.errors import QuotaExceeded
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("storage_quota.sql"))
# Longer than any upload within the size limits can take; a reservation older than this belongs
# to an upload that died and is given back on the user's next upload.
RESERVATION_TTL_S = 6 * 3600
WARNING_RATIO = 0.8
MB = 1024 * 1024


@dataclass(frozen=True)
class DirectUpload:
    """Where a presigned upload's file will land, and what the producer called it."""

    upload_id: uuid.UUID
    blob_key: str
    filename: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Reservation:
    id: uuid.UUID
    user_id: uuid.UUID
    bytes: int
    queue_priority: int


def _mb(value: int) -> str:
    return f"{value / MB:.1f} MB"


async def reserve(
    pool: asyncpg.Pool,
    user_id: uuid.UUID,
    *,
    wanted: int,
    exact: bool,
    ttl_s: int = RESERVATION_TTL_S,
    direct: DirectUpload | None = None,
) -> Reservation:
    """Reserve storage and an upload slot; 429 naming the quota when either is spent.

    `exact` says `wanted` is the known upload size (refuse if it does not fit). Otherwise it is an
    upper bound and whatever storage remains, up to it, is granted. A `direct` (presigned) upload
    holds storage only: no bytes flow through us until it completes, so an abandoned one must not
    keep the producer's upload slots.
    """
    async with tenant_tx(pool, user_id) as conn:
        await conn.execute(SQL["release_expired_reservations"])
        usage = await conn.fetchrow(SQL["lock_usage"])
        if direct is None and usage["active_uploads"] >= usage["concurrent_uploads"]:
            raise QuotaExceeded(
                f"Concurrent uploads: {usage['active_uploads']} of {usage['concurrent_uploads']} "
                f"in progress on the {usage['plan_name']} plan. Wait for one to finish.",
                retry_after=5,
                details={
                    "quota": "concurrent_uploads",
                    "used": usage["active_uploads"],
                    "limit": usage["concurrent_uploads"],
                },
            )
        limit = usage["storage_limit"]
        held = usage["storage_bytes"] + usage["reserved_bytes"]
        free = wanted if limit is None else max(0, limit - held)
        granted = min(wanted, free)
        if granted <= 0 or (exact and granted < wanted):
            raise QuotaExceeded(
                f"Storage: {_mb(usage['storage_bytes'])} of {_mb(limit)} used on the "
                f"{usage['plan_name']} plan; this upload needs {_mb(wanted)}.",
                retry_after=None,
                details={
                    "quota": "storage",
                    "used_bytes": usage["storage_bytes"],
                    "limit_bytes": limit,
                    "needed_bytes": wanted if exact else None,
                },
            )
        await conn.execute(SQL["add_reservation"], granted, 0 if direct else 1)
        reservation_id = await conn.fetchval(
            SQL["insert_reservation"],
            uuid.uuid4() if direct is None else direct.upload_id,
            user_id,
            granted,
            ttl_s,
            None if direct is None else direct.blob_key,
            None if direct is None else direct.filename,
            {} if direct is None else direct.fields,
        )
    return Reservation(reservation_id, user_id, granted, usage["queue_priority"])


async def settle(conn: asyncpg.Connection, reservation: Reservation, *, used: int) -> int | None:
    """Turn the reservation into `used` bytes of storage inside the caller's transaction.

    Returns the new storage total, or None when the reservation was already swept (the upload took
    longer than the reservation's life), in which case the caller must give up.
    """
    total: int | None = await conn.fetchval(SQL["settle_reservation"], reservation.id, used)
    return total


async def release(pool: asyncpg.Pool, reservation: Reservation) -> None:
    """Give a failed upload's reservation back."""
    async with tenant_tx(pool, reservation.user_id) as conn:
        await conn.fetchval(SQL["settle_reservation"], reservation.id, 0)


async def free_storage(conn: asyncpg.Connection, *, size: int) -> None:
    """Give back the storage of a deleted sample (inside the deleting transaction)."""
    await conn.fetchval(SQL["release_storage"], size)


def storage_warning(usage: Any) -> str | None:
    """A warning once storage use reaches 80 % of the plan."""
    limit = usage["storage_limit"]
    if limit and usage["storage_bytes"] >= WARNING_RATIO * limit:
        percent = round(100 * usage["storage_bytes"] / limit)
        return f"storage at {percent}% of the {usage['plan_name']} plan ({_mb(limit)})"
    return None


async def current_usage(pool: asyncpg.Pool, user_id: uuid.UUID) -> Any:
    """The caller's storage figures and limits (no lock)."""
    async with tenant_tx(pool, user_id) as conn:
        return await conn.fetchrow(SQL["storage_usage"])


async def storage_usage(conn: asyncpg.Connection) -> Any:
    """The caller's storage figures, limits and queue priority, in the caller's transaction."""
    return await conn.fetchrow(SQL["storage_usage"])


async def fetch_direct_upload(conn: asyncpg.Connection, upload_id: uuid.UUID) -> Any:
    """A pending direct upload of the caller, or None when it is unknown or expired."""
    return await conn.fetchrow(SQL["fetch_direct_upload"], upload_id)


async def direct_upload_is_open(conn: asyncpg.Connection, upload_id: uuid.UUID, key: str) -> bool:
    """Whether a direct upload may still receive its file at `key`."""
    return bool(await conn.fetchval(SQL["direct_upload_is_open"], upload_id, key))


async def open_staging_keys(conn: asyncpg.Connection, keys: list[str]) -> set[str]:
    """Which of `keys` belong to the caller's open direct uploads."""
    return {row["blob_key"] for row in await conn.fetch(SQL["open_staging_keys"], keys)}
