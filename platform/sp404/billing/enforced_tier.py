"""The tier every service enforces, and what a change of it sets going."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg

from sp404.core.queries import load_queries
from sp404.jobs import wake_deferred

SQL = load_queries(Path(__file__).with_name("queries.sql"))


async def set_enforced_tier(conn: asyncpg.Connection, tier: str) -> uuid.UUID | None:
    """Set the caller's enforced tier; returns their id only when it changed.

    A change wakes the analyses deferred for a spent quota: they are counted again under the new
    plan when claimed (and deferred again if it is still spent).
    """
    changed: uuid.UUID | None = await conn.fetchval(SQL["set_user_tier"], tier)
    if changed is not None:
        await wake_deferred(conn, kind="analyze")
    return changed
