"""Row-level security, table by table: a user reads and writes only their own rows."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from sp404.core.db import tenant_tx
from sp404.core.errors import NotFound
from tests.conftest import AsUser
from tests.tenancy.seed import SEED, TENANT_COLUMN

pytestmark = pytest.mark.pgbouncer

TABLES = sorted(SEED)
# Tables whose rows the runtime role may change only in some columns (column privileges).
UPDATABLE_COLUMN = {"personal_access_tokens": "revoked_at", "users": "first_name"}


@pytest.mark.parametrize("table", TABLES)
async def test_a_user_reads_only_their_own_rows(
    table: str, two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    a, b = two_seeded_users
    column = TENANT_COLUMN[table]
    rows = await as_user(a, f"select {column} as owner from app.{table}")
    owners = {r["owner"] for r in rows}
    assert a in owners
    assert b not in owners
    assert owners == {a}


@pytest.mark.parametrize("table", TABLES)
async def test_updates_and_deletes_of_another_users_rows_affect_nothing(
    table: str, two_seeded_users: tuple[uuid.UUID, uuid.UUID], pool: asyncpg.Pool, as_user: AsUser
) -> None:
    a, b = two_seeded_users
    column = TENANT_COLUMN[table]
    # Where the runtime role may update only some columns, touch one of those.
    touched = UPDATABLE_COLUMN.get(table, column)
    async with tenant_tx(pool, a) as conn:
        if table not in ("api_usage", "email_outbox"):  # append-only for the runtime role
            updated = await conn.execute(
                f"update app.{table} set {touched} = {touched} where {column} = $1",
                b,
            )
            assert updated == "UPDATE 0"
        # Rows the runtime role may not delete at all (no DELETE privilege).
        if table not in (
            "api_usage",
            "email_outbox",
            "invoices",
            "usage_counters",
            "library_versions",
        ):
            deleted = await conn.execute(f"delete from app.{table} where {column} = $1", b)
            assert deleted == "DELETE 0"
    survivors = await as_user(b, f"select 1 from app.{table}")
    assert len(survivors) == 1


@pytest.mark.parametrize("table", [t for t in TABLES if t != "users"])
async def test_a_row_cannot_be_inserted_for_another_user(
    table: str, two_seeded_users: tuple[uuid.UUID, uuid.UUID], pool: asyncpg.Pool
) -> None:
    a, b = two_seeded_users
    # Insert as A a row that claims to be B's: the policy's WITH CHECK refuses it, which the
    # tenant transaction reports as a plain 404 (the row "does not exist" for A).
    with pytest.raises(NotFound) as refused:
        async with tenant_tx(pool, a) as conn:
            await conn.execute(SEED[table], b)
    assert isinstance(refused.value.__cause__, asyncpg.InsufficientPrivilegeError)


@pytest.mark.parametrize(
    "table", [t for t in TABLES if t not in ("api_usage", "email_outbox", "users")]
)
async def test_a_row_cannot_be_moved_to_another_user(
    table: str, two_seeded_users: tuple[uuid.UUID, uuid.UUID], pool: asyncpg.Pool
) -> None:
    a, b = two_seeded_users
    with pytest.raises((NotFound, asyncpg.PostgresError)):
        async with tenant_tx(pool, a) as conn:
            await conn.execute(f"update app.{table} set user_id = $1", b)


@pytest.mark.parametrize("setting", [None, ""])
@pytest.mark.parametrize("table", TABLES)
async def test_without_a_user_reads_return_nothing_and_writes_fail(
    table: str,
    setting: str | None,
    two_seeded_users: tuple[uuid.UUID, uuid.UUID],
    pool: asyncpg.Pool,
) -> None:
    a, _ = two_seeded_users
    async with pool.acquire() as conn, conn.transaction():
        if setting is not None:
            # What a committed transaction-local set_config leaves on a pooled connection.
            await conn.execute("select set_config('app.user_id', $1, false)", setting)
        rows = await conn.fetch(f"select 1 from app.{table}")
        assert rows == []
    if table == "users":
        return
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(SEED[table], a)
