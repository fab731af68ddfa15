"""A database that is gone answers 503 with Retry-After, never a 500: the client may try again."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from sp404.core.db import tenant_tx
from sp404.core.errors import DatabaseUnavailable
from tests.support import free_port


async def test_a_refused_connection_is_a_retryable_503() -> None:
    # A pool that connects lazily to a port where nothing listens: the server is down.
    pool = await asyncpg.create_pool(f"postgresql://nobody@127.0.0.1:{free_port()}/x", min_size=0)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            async with tenant_tx(pool, uuid.uuid4()):
                pass
        assert caught.value.status_code == 503
        assert caught.value.headers["Retry-After"] == "2"
    finally:
        await pool.close()


async def test_a_connection_cut_by_the_server_mid_transaction_is_a_retryable_503(
    pool: asyncpg.Pool, owner: asyncpg.Connection
) -> None:
    with pytest.raises(DatabaseUnavailable):
        async with tenant_tx(pool, uuid.uuid4()) as conn:
            pid = await conn.fetchval("select pg_backend_pid()")
            # What a restart does to every session: the server ends it.
            await owner.execute("select pg_terminate_backend($1)", pid)
            await conn.fetchval("select 1")
