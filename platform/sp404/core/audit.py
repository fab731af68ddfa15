"""The audit writer: append-only entries about security-relevant events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg

from sp404.core.db import tenant_tx
from sp404.core.errors import NotFound
from sp404.core.logging import request_id_var

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


async def _deny_access(
    pool: asyncpg.Pool, *, user_id: UUID | str, target_type: str, target_id: object
) -> NotFound:
    """Audit a request for an object the user cannot see, and return the 404 to raise.

    Someone else's object answers exactly like a missing one. The entry is written in its own
    transaction, because the request's transaction is about to roll back with the error.
    """
    async with tenant_tx(pool, user_id) as conn:
        await write_audit(
            conn,
            action="access.denied",
            user_id=user_id,
            target_type=target_type,
            target_id=str(target_id),
        )
    return NotFound(f"No such {target_type}.")


class Hidden(Exception):
    """An object the caller cannot see: answered as a 404 once an audit entry is written.

    The one way to say "not yours": raise it inside `owner_tx`. Someone else's id then answers
    exactly like a missing one, and the attempt is in the audit log.
    """

    def __init__(self, target_type: str, target_id: object) -> None:
        self.target_type = target_type
        self.target_id = target_id
        super().__init__(f"{target_type} {target_id}")


@asynccontextmanager
async def owner_tx(pool: asyncpg.Pool, user_id: UUID | str) -> AsyncIterator[asyncpg.Connection]:
    """A tenant transaction in which raising Hidden rolls back and answers an audited 404."""
    try:
        async with tenant_tx(pool, user_id) as conn:
            yield conn
    except Hidden as exc:
        # The audit entry needs a transaction of its own: this one has just rolled back.
        raise await _deny_access(
            pool, user_id=user_id, target_type=exc.target_type, target_id=exc.target_id
        ) from None
