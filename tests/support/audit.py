"""What the audit log says about a producer, read as the auditor (it sees every tenant)."""

from __future__ import annotations

import uuid

import asyncpg

from sp404.core.settings import Settings


async def count_denials(settings: Settings, user_id: str, target_id: str) -> int:
    """How many access.denied entries the audit log holds for the user and the target."""
    conn = await asyncpg.connect(settings.database_auditor_url)
    try:
        return int(
            await conn.fetchval(
                "select count(*) from app.audit_log where action = 'access.denied'"
                " and user_id = $1 and target_id = $2",
                uuid.UUID(user_id),
                target_id,
            )
        )
    finally:
        await conn.close()
