"""The audit log: append-only for the services, readable in full only by the auditor."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx

pytestmark = pytest.mark.pgbouncer


async def test_auditor_sees_every_tenant_and_cannot_write(
    pool: asyncpg.Pool,
    auditor: asyncpg.Connection,
    producer_id: uuid.UUID,
    other_producer_id: uuid.UUID,
) -> None:
    for user in (producer_id, other_producer_id):
        async with tenant_tx(pool, user) as conn:
            await write_audit(conn, action="login.success", user_id=user, ip="127.0.0.1")
            await conn.execute(
                "insert into app.kits (user_id, name) values ($1, 'Audited kit')", user
            )
    seen = {
        r["user_id"]
        for r in await auditor.fetch(
            "select user_id from app.audit_log where action = 'login.success'"
        )
    }
    assert {producer_id, other_producer_id} <= seen
    kits = {r["user_id"] for r in await auditor.fetch("select user_id from app.kits")}
    assert {producer_id, other_producer_id} <= kits
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        await auditor.execute("delete from app.audit_log")
    # Even with the read-only default switched off, the auditor has no write grant.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with auditor.transaction(readonly=False):
            await auditor.execute("set transaction read write")
            await auditor.execute("delete from app.kits")


async def test_runtime_role_can_append_but_never_read_or_change_audit_entries(
    pool: asyncpg.Pool, producer_id: uuid.UUID, other_producer_id: uuid.UUID
) -> None:
    async with tenant_tx(pool, producer_id) as conn:
        await write_audit(conn, action="password.change", user_id=producer_id)
    for statement in (
        "select * from app.audit_log",
        "update app.audit_log set action = 'nothing happened'",
        "delete from app.audit_log",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", str(producer_id))
                await conn.execute(statement)


async def test_an_entry_about_another_user_is_refused(
    pool: asyncpg.Pool, producer_id: uuid.UUID, other_producer_id: uuid.UUID
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", str(producer_id))
            await write_audit(conn, action="forged", user_id=other_producer_id)


async def test_anonymous_entries_name_no_user(
    pool: asyncpg.Pool, auditor: asyncpg.Connection
) -> None:
    async with tenant_tx(pool, None) as conn:
        await write_audit(conn, action="login.failure", user_id=None, details={"reason": "unknown"})
    count = await auditor.fetchval(
        "select count(*) from app.audit_log where action = 'login.failure' and user_id is null"
    )
    assert count >= 1
