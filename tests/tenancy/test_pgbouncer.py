"""Through PgBouncer in transaction mode, producers share server connections: the tenant bound
by `tenant_tx` (a transaction-local setting) must never reach the next client's transaction.

The `single` database of the `pgbouncer` fixture has ONE server connection, so two clients'
transactions are forced onto the same PostgreSQL backend, one after the other.
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings
from tests.conftest import CreateUser
from tests.support.pgbouncer import SINGLE, PgBouncer

WHO = "select current_setting('app.user_id', true)"
BACKEND = "select pg_backend_pid()"


def _single(settings: Settings, pgbouncer: PgBouncer) -> Settings:
    return settings.model_copy(
        update={
            "database_url": pgbouncer.url(settings.database_url, database=SINGLE),
            "db_statement_cache_size": 0,
        }
    )


async def test_two_producers_interleaved_on_one_server_connection_never_see_each_other(
    migrated_db: Settings, pgbouncer: PgBouncer, create_user: CreateUser
) -> None:
    a, b = await create_user(), await create_user()
    settings = _single(migrated_db, pgbouncer)
    # Two client pools (two service instances, say) behind one server connection.
    pool_a = await create_pool(settings, min_size=1, max_size=1)
    pool_b = await create_pool(settings, min_size=1, max_size=1)
    order: list[str] = []
    a_inside = asyncio.Event()
    try:

        async def producer_a() -> int:
            async with tenant_tx(pool_a, a) as conn:
                await conn.execute("insert into app.kits (user_id, name) values ($1, 'A only')", a)
                backend = int(await conn.fetchval(BACKEND))
                a_inside.set()
                # Hold the server connection while B asks for it.
                await asyncio.sleep(0.3)
                order.append("a commits")
            return backend

        async def producer_b() -> tuple[int, str | None, list[str], str | None]:
            await a_inside.wait()
            async with pool_b.acquire() as conn, conn.transaction():
                # Queued by PgBouncer until A's transaction ends; then on A's backend.
                backend = int(await conn.fetchval(BACKEND))
                order.append("b starts")
                before = await conn.fetchval(WHO)
                await conn.execute("select set_config('app.user_id', $1, true)", str(b))
                kits = [r["name"] for r in await conn.fetch("select name from app.kits")]
                during = await conn.fetchval(WHO)
            return backend, before, kits, during

        backend_a, (backend_b, before, kits_b, during) = await asyncio.gather(
            producer_a(), producer_b()
        )
        assert order == ["a commits", "b starts"]
        assert backend_a == backend_b, "the two transactions did not share a server connection"
        assert before in (None, "")
        assert during == str(b)
        assert kits_b == []
        # And back again: A's next transaction, on the same backend, sees B nowhere.
        async with tenant_tx(pool_a, a) as conn:
            assert int(await conn.fetchval(BACKEND)) == backend_a
            assert [r["name"] for r in await conn.fetch("select name from app.kits")] == ["A only"]
    finally:
        await pool_a.close()
        await pool_b.close()


async def test_a_failed_transaction_leaves_no_user_on_the_shared_server_connection(
    migrated_db: Settings, pgbouncer: PgBouncer, create_user: CreateUser
) -> None:
    a = await create_user()
    settings = _single(migrated_db, pgbouncer)
    pool_a = await create_pool(settings, min_size=1, max_size=1)
    pool_b = await create_pool(settings, min_size=1, max_size=1)
    try:
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with tenant_tx(pool_a, a) as conn:
                await conn.fetchval("select 1 / 0")
        async with pool_b.acquire() as conn, conn.transaction():
            assert await conn.fetchval(WHO) in (None, "")
            assert await conn.fetch("select 1 from app.users") == []
    finally:
        await pool_a.close()
        await pool_b.close()


async def test_a_session_level_setting_would_leak_which_is_why_tenant_tx_never_uses_one(
    migrated_db: Settings, pgbouncer: PgBouncer, create_user: CreateUser
) -> None:
    # The control: proves the tests above could see a leak if there were one. Bare connections,
    # because asyncpg's pool already runs RESET ALL when a connection goes back to it.
    a = await create_user()
    dsn = pgbouncer.url(migrated_db.database_url, database=SINGLE)
    conn_a = await asyncpg.connect(dsn, statement_cache_size=0)
    conn_b = await asyncpg.connect(dsn, statement_cache_size=0)
    try:
        await conn_a.execute("select set_config('app.user_id', $1, false)", str(a))
        try:
            assert await conn_b.fetchval(WHO) == str(a)
        finally:
            await conn_b.execute("select set_config('app.user_id', '', false)")
    finally:
        await conn_a.close()
        await conn_b.close()


async def test_parameterised_queries_run_interleaved_with_the_statement_cache_off(
    migrated_db: Settings, pgbouncer: PgBouncer, create_user: CreateUser
) -> None:
    users = [await create_user() for _ in range(4)]
    settings = _single(migrated_db, pgbouncer)
    pools = [await create_pool(settings, min_size=1, max_size=1) for _ in range(4)]
    try:

        async def reads(pool: asyncpg.Pool, user: uuid.UUID) -> set[uuid.UUID]:
            seen: set[uuid.UUID] = set()
            for _ in range(25):
                async with tenant_tx(pool, user) as conn:
                    seen |= {r["id"] for r in await conn.fetch("select id from app.users")}
                    await conn.fetchval("select $1::int + $2::int", 1, 2)
            return seen

        seen = await asyncio.gather(*(reads(p, u) for p, u in zip(pools, users, strict=True)))
        assert seen == [{u} for u in users]
    finally:
        for p in pools:
            await p.close()
