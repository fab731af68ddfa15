"""`loadtests.run --pgbouncer`: the services go through PgBouncer, the worker stays direct."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

import asyncpg
import pytest

from loadtests.stack import Topology, through_pgbouncer
from sp404.core.settings import Settings
from tests.support.pgbouncer import PgBouncerMissing


def test_services_reach_postgres_through_pgbouncer_and_the_worker_keeps_a_direct_url(
    migrated_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The helper turns the statement cache off for the child processes through the environment.
    monkeypatch.setenv("SP404_DB_STATEMENT_CACHE_SIZE", "0")
    with ExitStack() as exits:
        try:
            through, topology = through_pgbouncer(
                exits, migrated_db, Topology(), platforms=2, engines=2
            )
        except PgBouncerMissing as exc:
            pytest.skip(f"PgBouncer runs skipped: {exc}")
        assert topology.worker_env["SP404_DATABASE_URL"] == migrated_db.database_url
        assert through.database_url != migrated_db.database_url
        assert through.db_statement_cache_size == 0

        async def ask() -> int:
            conn = await asyncpg.connect(through.database_url, statement_cache_size=0)
            try:
                return int(await conn.fetchval("select 1"))
            finally:
                await conn.close()

        assert asyncio.run(ask()) == 1
