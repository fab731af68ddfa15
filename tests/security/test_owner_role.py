"""Nobody signs in as the schema owner, and no runtime credential can touch a policy
(issue 15, item 11). Migrations sign in as sp404_migrator and SET ROLE sp404_owner."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from sp404.core.settings import Settings

RUNTIME_ROLES = ["sp404_app", "sp404_auditor"]
# Statements only the owner of a tenant table may run.
OWNER_ONLY = [
    "alter table app.samples disable row level security",
    "alter table app.samples no force row level security",
    "drop policy samples_owner on app.samples",
    "alter policy samples_owner on app.samples using (true)",
    "create policy samples_everyone on app.samples for select to sp404_app using (true)",
    "alter table app.samples owner to sp404_app",
    "set role sp404_owner",
]


def as_role(url: str, role: str, password: str | None) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = role if password is None else f"{role}:{password}"
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


@pytest.mark.parametrize("password", [None, "", "sp404_owner", "the-migrators-password"])
async def test_nobody_can_sign_in_as_the_schema_owner(
    migrated_db: Settings, password: str | None
) -> None:
    if password == "the-migrators-password":
        password = urlsplit(migrated_db.database_owner_url).password
    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError)):
        conn = await asyncpg.connect(
            as_role(migrated_db.database_url, "sp404_owner", password), timeout=10
        )
        await conn.close()


async def test_the_owner_has_no_login_and_no_power_over_other_sessions(
    owner: asyncpg.Connection,
) -> None:
    role = await owner.fetchrow(
        "select rolcanlogin, pg_has_role('sp404_owner', 'pg_signal_backend', 'member') as signals"
        " from pg_roles where rolname = 'sp404_owner'"
    )
    assert role is not None
    assert (role["rolcanlogin"], role["signals"]) == (False, False)


@pytest.mark.parametrize("role", RUNTIME_ROLES)
async def test_no_runtime_role_can_become_the_owner_or_the_definer(
    owner: asyncpg.Connection, role: str
) -> None:
    for target in ("sp404_owner", "sp404_definer", "sp404_migrator"):
        assert not await owner.fetchval("select pg_has_role($1, $2, 'member')", role, target)


async def test_migrations_sign_in_as_a_login_role_other_than_the_owner(
    owner: asyncpg.Connection,
) -> None:
    assert await owner.fetchval("select session_user") != "sp404_owner"
    assert await owner.fetchval("select pg_has_role('sp404_owner', 'member')")


async def test_everything_the_migrations_made_belongs_to_the_owner_or_the_definer(
    owner: asyncpg.Connection,
) -> None:
    owners = await owner.fetch(
        """
        select distinct r.rolname
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace and n.nspname in ('app', 'app_meta')
        join pg_roles r on r.oid = c.relowner
        union
        select distinct r.rolname
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'app'
        join pg_roles r on r.oid = p.proowner
        union
        select r.rolname from pg_database d join pg_roles r on r.oid = d.datdba
        where d.datname = current_database()
        """
    )
    assert {r["rolname"] for r in owners} <= {"sp404_owner", "sp404_definer"}


@pytest.mark.parametrize("statement", OWNER_ONLY)
async def test_the_runtime_role_cannot_alter_or_disable_a_policy(
    pool: asyncpg.Pool, producer_id: uuid.UUID, statement: str
) -> None:
    # Raw, not tenant_tx: that answers a refusal as a 404; here the database's own is the point.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", str(producer_id))
            await conn.execute(statement)


@pytest.mark.parametrize("statement", OWNER_ONLY)
async def test_the_auditor_cannot_alter_or_disable_a_policy_even_in_a_writable_transaction(
    migrated_db: Settings, statement: str
) -> None:
    conn = await asyncpg.connect(migrated_db.database_auditor_url)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("set transaction read write")
                await conn.execute(statement)
    finally:
        await conn.close()
