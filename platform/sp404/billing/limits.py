"""Answers to "may this user add X bytes / one more collection?" under their current plan.

After a downgrade an account can hold more than its new plan allows. Nothing is ever deleted for
that: these checks simply refuse new additions (uploads, collections) until the user frees room
or upgrades. Reads and deletions always keep working. Call them inside the caller's tenant
transaction, right before the write they guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from sp404.billing.plans import MB
from sp404.core.errors import QuotaExceeded
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))


@dataclass(frozen=True)
class LimitCheck:
    """The answer, with the figures behind it for the error message."""

    allowed: bool
    quota: str
    used: int
    limit: int | None
    message: str

    def require(self) -> None:
        """Raise the 429 quota error unless allowed."""
        if not self.allowed:
            raise QuotaExceeded(
                self.message,
                retry_after=None,
                details={"quota": self.quota, "used": self.used, "limit": self.limit},
            )


def _mb(value: int) -> str:
    return f"{value / MB:.1f} MB"


async def may_add_bytes(conn: asyncpg.Connection, size: int) -> LimitCheck:
    """Whether `size` more bytes fit in the caller's storage quota (uploads in flight count)."""
    row: Any = await conn.fetchrow(SQL["storage_room"])
    held = row["storage_bytes"] + row["reserved_bytes"]
    limit = row["storage_limit"]
    allowed = limit is None or held + size <= limit
    message = (
        "Storage has room."
        if allowed
        else f"Storage: {_mb(held)} of {_mb(limit)} used on the {row['plan_name']} plan; "
        f"{_mb(size)} more does not fit. Delete samples or upgrade; nothing is deleted for you."
    )
    return LimitCheck(allowed, "storage", held, limit, message)


async def may_add_collection(conn: asyncpg.Connection) -> LimitCheck:
    """Whether the caller may create one more collection."""
    row: Any = await conn.fetchrow(SQL["collection_room"])
    count, limit = row["collections"], row["collection_limit"]
    allowed = limit is None or count + 1 <= limit
    message = (
        "Collections have room."
        if allowed
        else f"Collections: {count} of {limit} on the {row['plan_name']} plan. Remove one or "
        "upgrade to add more; existing collections are kept."
    )
    return LimitCheck(allowed, "collections", count, limit, message)
