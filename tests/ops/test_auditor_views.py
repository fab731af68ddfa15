"""The audit views show the auditor every tenant and show the services' role nothing."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
import pytest_asyncio

from sp404.core.db import tenant_tx
from tests.conftest import CreateUser

MB50 = 50 * 1024 * 1024
VIEWS = [
    "audit_access_denials",
    "audit_logins_daily",
    "audit_usage_by_tier",
    "audit_storage_by_user",
    "audit_dead_jobs",
]


async def seed_activity(pool: asyncpg.Pool, user_id: uuid.UUID) -> None:
    """Denials, sign-ins, usage, an API call and a dead job for one user, through RLS."""
    async with tenant_tx(pool, user_id) as conn:
        for action in ("access.denied", "access.denied", "login.success", "login.failure"):
            await conn.execute(
                "insert into app.audit_log (user_id, action, target_type, ip)"
                " values ($1, $2, 'sample', '198.51.100.7')",
                user_id,
                action,
            )
        await conn.execute(
            "insert into app.usage_counters (user_id, storage_bytes, analyses_used)"
            " values ($1, 50 * 1024 * 1024, 3)",
            user_id,
        )
        await conn.execute(
            "insert into app.api_usage (user_id, endpoint, method) values ($1, '/api/x', 'GET')",
            user_id,
        )
        await conn.execute(
            "insert into app.processing_jobs (user_id, kind, status, attempts, last_error,"
            " finished_at) values ($1, 'analyze', 'dead', 5, 'decoder crashed', now())",
            user_id,
        )


@pytest_asyncio.fixture(loop_scope="session")
async def two_tenants(pool: asyncpg.Pool, create_user: CreateUser) -> list[uuid.UUID]:
    """A Free and a Pro producer, each with some activity."""
    tenants = [await create_user(), await create_user(tier="pro")]
    for user_id in tenants:
        await seed_activity(pool, user_id)
    return tenants


@pytest.mark.parametrize("view", ["audit_access_denials", "audit_logins_daily", "audit_dead_jobs"])
async def test_the_auditor_sees_both_tenants_activity(
    view: str, auditor: asyncpg.Connection, two_tenants: list[uuid.UUID]
) -> None:
    rows = await auditor.fetch(f"select * from app.{view} where user_id = any($1)", two_tenants)
    assert {r["user_id"] for r in rows} == set(two_tenants)
    assert all(r["email"].endswith("@example.com") for r in rows)


async def test_denials_and_sign_ins_are_counted_per_user_and_day(
    auditor: asyncpg.Connection, two_tenants: list[uuid.UUID]
) -> None:
    denials = await auditor.fetch(
        "select user_id, denials, target_types from app.audit_access_denials"
        " where user_id = any($1)",
        two_tenants,
    )
    assert sorted((r["denials"], r["target_types"]) for r in denials) == [(2, ["sample"])] * 2
    logins = await auditor.fetch(
        "select successes, failures, addresses from app.audit_logins_daily where user_id = any($1)",
        two_tenants,
    )
    assert [tuple(r) for r in logins] == [(1, 1, 1), (1, 1, 1)]


async def test_storage_by_user_compares_each_account_with_its_plan(
    auditor: asyncpg.Connection, two_tenants: list[uuid.UUID]
) -> None:
    rows = await auditor.fetch(
        "select user_id, tier, storage_bytes, plan_storage_bytes, share_used"
        " from app.audit_storage_by_user where user_id = any($1)",
        two_tenants,
    )
    by_user = {r["user_id"]: r for r in rows}
    free, pro = (by_user[t] for t in two_tenants)
    assert (free["tier"], free["storage_bytes"], free["share_used"]) == ("free", MB50, 0.5)
    assert (pro["tier"], pro["storage_bytes"]) == ("pro", MB50)
    assert pro["plan_storage_bytes"] > free["plan_storage_bytes"]
    assert pro["share_used"] < 0.01


async def test_usage_by_tier_adds_up_every_tenant_of_the_tier(
    auditor: asyncpg.Connection, two_tenants: list[uuid.UUID]
) -> None:
    rows = {r["tier"]: r for r in await auditor.fetch("select * from app.audit_usage_by_tier")}
    for tier in ("free", "pro"):
        assert rows[tier]["accounts"] >= 1
        assert rows[tier]["storage_bytes"] >= MB50
        assert rows[tier]["analyses_this_period"] >= 3
        assert rows[tier]["api_calls_last_day"] >= 1


@pytest.mark.parametrize("view", VIEWS)
async def test_the_services_role_may_not_read_an_audit_view(
    view: str, pool: asyncpg.Pool, two_tenants: list[uuid.UUID]
) -> None:
    # Even as one of the tenants: the views are for the auditor only, not filtered copies.
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.user_id', $1, true)", str(two_tenants[0]))
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(f"select * from app.{view}")


@pytest.mark.parametrize("view", VIEWS)
async def test_audit_views_run_with_the_readers_rights_and_only_the_auditor_may_select(
    view: str, owner: asyncpg.Connection
) -> None:
    row = await owner.fetchrow(
        "select c.reloptions,"
        " has_table_privilege('sp404_auditor', c.oid, 'select') as auditor,"
        " has_table_privilege('sp404_app', c.oid, 'select') as app,"
        " has_table_privilege('sp404_auditor', c.oid, 'insert') as auditor_writes"
        " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'app' and c.relname = $1",
        view,
    )
    assert row is not None
    assert "security_invoker=true" in row["reloptions"]
    assert (row["auditor"], row["app"], row["auditor_writes"]) == (True, False, False)


async def test_the_auditor_cannot_change_anything_through_a_view(
    auditor: asyncpg.Connection, two_tenants: list[uuid.UUID]
) -> None:
    with pytest.raises(asyncpg.PostgresError):
        await auditor.execute("delete from app.audit_dead_jobs where user_id = $1", two_tenants[0])
