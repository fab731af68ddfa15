"""Shared fixtures: a freshly migrated test database, pools per role, users to play with."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from sp404.core.db import create_pool, tenant_tx
from sp404.core.migrations import migrate
from sp404.core.settings import Settings, get_settings
from tests import gateway_signing
from tests.support.pgbouncer import PgBouncer, PgBouncerMissing, running_pgbouncer

# The running-stack fixtures (platform and engine processes, SMTP, producers) for every test dir.
pytest_plugins = ["tests.stack"]

# One database per test run; set SP404_TEST_DB (and SP404_TEST_REDIS_DB, 0-15) to run two suites
# side by side.
TEST_DB = os.environ.get("SP404_TEST_DB", "sp404_test")
TEST_REDIS_DB = os.environ.get("SP404_TEST_REDIS_DB", "9")


def with_database(dsn: str, name: str) -> str:
    """The same server and credentials, another database."""
    return f"{dsn.rsplit('/', 1)[0]}/{name}"


async def recreate_database(owner_dsn: str, name: str) -> None:
    """Drop and create `name`, owned by the migration owner."""
    conn = await asyncpg.connect(with_database(owner_dsn, "postgres"))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()


async def drop_database(owner_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(with_database(owner_dsn, "postgres"))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing every service at the test database and a throwaway var/ folder."""
    base = get_settings()
    var = tmp_path_factory.mktemp("var")
    test_settings = base.model_copy(
        update={
            "environment": "test",
            "database_url": with_database(base.database_url, TEST_DB),
            "database_owner_url": with_database(base.database_owner_url, TEST_DB),
            "database_auditor_url": with_database(base.database_auditor_url, TEST_DB),
            "redis_url": base.redis_url.rsplit("/", 1)[0] + f"/{TEST_REDIS_DB}",
            "var_dir": var,
        }
    )
    # Direct calls to a service must look like the gateway's (tests.gateway_signing).
    gateway_signing.configure(test_settings)
    return test_settings


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def migrated_db(settings: Settings) -> AsyncIterator[Settings]:
    """A brand-new test database with every migration, function and policy applied."""
    await recreate_database(settings.database_owner_url, TEST_DB)
    await migrate(settings.database_owner_url)
    yield settings


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A module or test marked `pgbouncer` runs twice: straight to PostgreSQL and through PgBouncer
    # in transaction mode, so a server connection is shared by transactions of many clients.
    if "db_route" in metafunc.fixturenames and metafunc.definition.get_closest_marker("pgbouncer"):
        metafunc.parametrize("db_route", ["direct", "pgbouncer"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def db_route(request: pytest.FixtureRequest) -> str:
    """How the runtime role reaches PostgreSQL: 'direct', or 'pgbouncer' for marked tests."""
    return str(getattr(request, "param", "direct"))


@pytest.fixture(scope="session")
def pgbouncer(migrated_db: Settings) -> Iterator[PgBouncer]:
    """A PgBouncer (transaction pooling) in front of the test database on a free port."""
    try:
        with running_pgbouncer(
            [migrated_db.database_url, migrated_db.database_owner_url], single_database=TEST_DB
        ) as bouncer:
            yield bouncer
    except PgBouncerMissing as exc:
        pytest.skip(f"PgBouncer runs skipped: {exc}")


@pytest.fixture(scope="session")
def runtime_settings(
    migrated_db: Settings, db_route: str, request: pytest.FixtureRequest
) -> Settings:
    """The test settings whose database URL takes `db_route` (statement cache off via PgBouncer)."""
    if db_route == "direct":
        return migrated_db
    bouncer: PgBouncer = request.getfixturevalue("pgbouncer")
    return migrated_db.model_copy(
        update={
            "database_url": bouncer.url(migrated_db.database_url),
            "db_statement_cache_size": 0,
        }
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pool(runtime_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A pool of runtime-role (sp404_app) connections to the test database (see `db_route`)."""
    pool = await create_pool(runtime_settings, min_size=1, max_size=5)
    yield pool
    await pool.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def auditor(migrated_db: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the read-only auditor role."""
    conn = await asyncpg.connect(migrated_db.database_auditor_url)
    yield conn
    await conn.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def owner(migrated_db: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the migration owner (for catalog inspection)."""
    conn = await asyncpg.connect(migrated_db.database_owner_url)
    yield conn
    await conn.close()


CreateUser = Callable[..., Awaitable[uuid.UUID]]


@pytest.fixture
def create_user(pool: asyncpg.Pool) -> CreateUser:
    """Insert a user row (as that user, through RLS) and return its id."""

    async def create(
        email: str | None = None, tier: str = "free", verified: bool = True
    ) -> uuid.UUID:
        user_id = uuid.uuid4()
        email = email or f"producer-{user_id.hex[:12]}@example.com"
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "insert into app.users (id, email, email_normalized, password_hash)"
                " values ($1, $2, lower($2), 'x')",
                user_id,
                email,
            )
            # The runtime role cannot write these columns; the definer functions can.
            await conn.execute("select app.set_user_tier($1)", tier)
            if verified:
                await conn.execute("select app.mark_email_verified()")
        return user_id

    return create


@pytest_asyncio.fixture(loop_scope="session")
async def producer_id(create_user: CreateUser) -> uuid.UUID:
    """A verified Free producer's id (a `producer` fixture is a Producer, a `*_client` an
    httpx.Client, a `*_id` a UUID)."""
    return await create_user()


@pytest_asyncio.fixture(loop_scope="session")
async def other_producer_id(create_user: CreateUser) -> uuid.UUID:
    """A second producer, whose data the first must never see."""
    return await create_user()


AsUser = Callable[..., Awaitable[Any]]


@pytest.fixture
def as_user(pool: asyncpg.Pool) -> AsUser:
    """Run one statement as a user (or as nobody with None) and return all rows."""

    async def run(user_id: uuid.UUID | None, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with tenant_tx(pool, user_id) as conn:
            return list(await conn.fetch(sql, *args))

    return run
