"""The asyncpg pool and the one way into tenant data: `tenant_tx`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

from sp404.core.errors import DatabaseUnavailable, translate_db_error
from sp404.core.settings import CoreSection

_SET_USER = "select set_config('app.user_id', $1, true)"
# The server is gone, restarting or full, rather than our query being wrong: the client may try
# again, so these answer 503 instead of 500. (A refused connect is a ConnectionError.)
_UNAVAILABLE = (
    ConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(
    settings: CoreSection,
    *,
    dsn: str | None = None,
    min_size: int | None = None,
    max_size: int | None = None,
) -> asyncpg.Pool:
    """A pool of runtime-role connections (NOBYPASSRLS) with JSON codecs installed."""
    pool = await asyncpg.create_pool(
        dsn or settings.database_url,
        min_size=settings.db_pool_min if min_size is None else min_size,
        max_size=settings.db_pool_max if max_size is None else max_size,
        statement_cache_size=settings.db_statement_cache_size,
        init=_init_connection,
        command_timeout=30,
    )
    assert pool is not None
    return pool


@asynccontextmanager
async def tenant_tx(
    pool: asyncpg.Pool, user_id: UUID | str | None
) -> AsyncIterator[asyncpg.Connection]:
    """Acquire a connection, begin, and bind the transaction to `user_id` before any query.

    `set_config(..., true)` is transaction-local, so the user never outlives the transaction and a
    pooled connection cannot carry one request's user into the next. `None` opens an anonymous
    transaction: row-level security then shows no tenant rows at all, which is what the
    pre-authentication steps (that go through SECURITY DEFINER functions) need.
    """
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(_SET_USER, "" if user_id is None else str(user_id))
            try:
                yield conn
            except asyncpg.PostgresError as exc:
                error = translate_db_error(exc)
                if error is None:
                    raise
                raise error from exc
    except _UNAVAILABLE as exc:
        raise DatabaseUnavailable() from exc
    except asyncpg.InternalClientError as exc:
        # asyncpg lost track of a connection the server cut mid-reset (it terminates it).
        raise DatabaseUnavailable() from exc
    except asyncpg.InterfaceError as exc:
        # Rolling back on a connection the server already closed: the same outage.
        if "connection is closed" not in str(exc):
            raise
        raise DatabaseUnavailable() from exc
