"""The plan's collection limit, enforced under the caller's usage row lock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from analysis_engine.collections.queries import SQL
from sp404.billing import lock_usage
from sp404.core.errors import QuotaExceeded

WARNING_RATIO = 0.8


@dataclass(frozen=True)
class CollectionUsage:
    used: int
    limit: int | None
    plan_name: str

    def warning(self) -> str | None:
        """The X-Quota-Warning text once use reaches 80 % of the plan's limit."""
        if self.limit and self.used >= WARNING_RATIO * self.limit:
            percent = round(100 * self.used / self.limit)
            return (
                f"collections at {percent}% of the {self.plan_name} plan "
                f"({self.used} of {self.limit})"
            )
        return None


async def lock_tree(conn: asyncpg.Connection, user_id: uuid.UUID) -> None:
    """Serialise the caller's creates and moves until commit."""
    await lock_usage(conn, user_id)


async def usage(conn: asyncpg.Connection) -> CollectionUsage:
    """The caller's collection count and limit."""
    row = await conn.fetchrow(SQL["collection_usage"])
    return CollectionUsage(row["used"], row["collection_limit"], row["plan_name"])


async def claim_collection(conn: asyncpg.Connection, user_id: uuid.UUID) -> CollectionUsage:
    """Lock the tree and check one more collection fits the plan; the usage after it on success.

    The count is read by a statement that starts after the lock is granted, so under READ
    COMMITTED it sees every collection a create that held the lock before us committed.
    """
    await lock_tree(conn, user_id)
    current = await usage(conn)
    if current.limit is not None and current.used >= current.limit:
        raise QuotaExceeded(
            f"Collections: {current.used} of {current.limit} used on the {current.plan_name} "
            "plan. Delete one or upgrade for unlimited collections.",
            retry_after=None,
            details={"quota": "collections", "used": current.used, "limit": current.limit},
        )
    return CollectionUsage(current.used + 1, current.limit, current.plan_name)
