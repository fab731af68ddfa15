"""The usage counters' small writes that other packages ask for: an export counted, a failed
analysis given back, and the per-producer lock the counter row doubles as.

Billing owns `app.usage_counters`; every write to it is in this package (here, `usage` and
`storage_quota`). Call these inside the caller's tenant transaction.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg

from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("counters.sql"))


async def count_export(conn: asyncpg.Connection, user_id: uuid.UUID) -> None:
    """Count one export towards this period's usage."""
    await conn.execute(SQL["count_export"], user_id)


async def refund_analysis(conn: asyncpg.Connection) -> None:
    """Give back the analysis counted for an attempt that failed."""
    await conn.execute(SQL["refund_analysis"])


async def lock_usage(conn: asyncpg.Connection, user_id: uuid.UUID) -> None:
    """Hold the producer's counter row until commit, creating it if sign-up did not.

    Changes that must not interleave for one producer (the collection tree, its limit) queue here.
    """
    await conn.execute(SQL["ensure_usage_row"], user_id)
    await conn.fetchval(SQL["lock_usage_row"])
