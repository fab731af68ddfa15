"""The audit writer: append-only entries about security-relevant events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from tenancy.logging import request_id_var

_INSERT = """
insert into app.audit_log (user_id, action, target_type, target_id, ip, request_id, details)
values ($1, $2, $3, $4, $5::inet, $6, $7)
"""


async def write_audit(
    conn: asyncpg.Connection,
    *,
    action: str,
    user_id: UUID | str | None,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one audit entry inside the caller's transaction (same user as the transaction)."""
    await conn.execute(
        _INSERT,
        None if user_id is None else UUID(str(user_id)),
        action,
        target_type,
        target_id,
        ip,
        request_id_var.get(),
        dict(details or {}),
    )
