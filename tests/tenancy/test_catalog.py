"""Catalog invariants: a new table, role grant or definer function cannot slip in unreviewed."""

from __future__ import annotations

import asyncpg

from tests.tenancy.seed import SEED

# Tables that are not tenant data and need no policy of their own.
RLS_ALLOWLIST = {"app_meta.schema_migrations"}
# Global tables under forced RLS that hold no user_id (reached only as the policies allow).
GLOBAL_TABLES = {"app.plans", "app.stripe_events", "app.audit_log", "app.trial_claims"}
DEFINER_ALLOWLIST = {
    "audit_entries_for_current_user",
    "claim_jobs",
    "claim_outbox",
    "consume_email_token",
    "find_personal_access_token",
    "find_refresh_token",
    "find_user_for_login",
    "mark_email_verified",
    "matching_samples",
    "past_due_accounts",
    "queue_stats",
    "queue_depth_by_tier",
    "finish_outbox",
    "record_api_usage",
    "record_stripe_event",
    "renew_job_leases",
    "set_password_hash",
    "set_user_tier",
    "trial_taken",
    "user_for_stripe_customer",
    "user_id_for_email",
}

TABLES = """
select n.nspname || '.' || c.relname as name, c.relrowsecurity, c.relforcerowsecurity
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname in ('app', 'app_meta')
order by 1
"""


async def test_every_table_has_row_level_security_enabled_and_forced(
    owner: asyncpg.Connection,
) -> None:
    rows = await owner.fetch(TABLES)
    unprotected = [
        r["name"]
        for r in rows
        if r["name"] not in RLS_ALLOWLIST and not (r["relrowsecurity"] and r["relforcerowsecurity"])
    ]
    assert rows, "no tables found: is the test database migrated?"
    assert unprotected == []


async def test_every_tenant_table_has_an_isolation_fixture(owner: asyncpg.Connection) -> None:
    names = {r["name"] for r in await owner.fetch(TABLES)}
    tenant_tables = names - RLS_ALLOWLIST - GLOBAL_TABLES
    assert tenant_tables == {f"app.{t}" for t in SEED}


async def test_every_tenant_table_has_an_index_leading_with_its_tenant_column(
    owner: asyncpg.Connection,
) -> None:
    rows = await owner.fetch(
        """
        select c.relname as table_name,
               bool_or(a.attname in ('user_id') or (c.relname = 'users' and a.attname = 'id'))
                   as covered
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'app'
        join pg_index i on i.indrelid = c.oid
        join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
        where c.relkind = 'r'
        group by c.relname
        """
    )
    uncovered = {r["table_name"] for r in rows if not r["covered"]} & set(SEED)
    assert uncovered == set()


async def test_runtime_role_is_not_superuser_cannot_bypass_rls_and_owns_nothing(
    owner: asyncpg.Connection,
) -> None:
    role = await owner.fetchrow(
        "select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'sp404_app'"
    )
    assert role is not None
    assert (role["rolsuper"], role["rolbypassrls"], role["rolcanlogin"]) == (False, False, True)
    owned = await owner.fetchval(
        """
        select count(*) from pg_class c join pg_roles r on r.oid = c.relowner
        where r.rolname = 'sp404_app'
        """
    ) + await owner.fetchval(
        "select count(*) from pg_proc p join pg_roles r on r.oid = p.proowner"
        " where r.rolname = 'sp404_app'"
    )
    assert owned == 0


async def test_definer_role_cannot_log_in_or_bypass_rls(owner: asyncpg.Connection) -> None:
    role = await owner.fetchrow(
        "select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'sp404_definer'"
    )
    assert role is not None
    assert (role["rolsuper"], role["rolbypassrls"], role["rolcanlogin"]) == (False, False, False)


async def test_every_view_is_security_invoker(owner: asyncpg.Connection) -> None:
    offenders = await owner.fetch(
        """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'v' and n.nspname in ('app', 'app_meta')
          and not coalesce('security_invoker=true' = any(c.reloptions), false)
        """
    )
    assert [r["relname"] for r in offenders] == []


async def test_security_definer_functions_are_exactly_the_allowlist(
    owner: asyncpg.Connection,
) -> None:
    rows = await owner.fetch(
        """
        select p.proname, r.rolname as owner, p.proconfig,
               has_function_privilege('public', p.oid, 'execute') as public_exec,
               has_function_privilege('sp404_app', p.oid, 'execute') as app_exec
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        join pg_roles r on r.oid = p.proowner
        where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
        """
    )
    assert sorted(r["proname"] for r in rows) == sorted(DEFINER_ALLOWLIST)
    for row in rows:
        assert row["owner"] == "sp404_definer", row["proname"]
        assert any(c.startswith("search_path=") for c in row["proconfig"] or []), row["proname"]
        assert row["public_exec"] is False, row["proname"]
        assert row["app_exec"] is True, row["proname"]


async def test_auditor_role_bypasses_rls_but_is_read_only(owner: asyncpg.Connection) -> None:
    role = await owner.fetchrow(
        "select rolbypassrls, rolsuper, rolconfig from pg_roles where rolname = 'sp404_auditor'"
    )
    assert role is not None
    assert role["rolbypassrls"] is True and role["rolsuper"] is False
    assert "default_transaction_read_only=on" in (role["rolconfig"] or [])
    writable = await owner.fetchval(
        """
        select count(*) from information_schema.role_table_grants
        where grantee = 'sp404_auditor' and privilege_type <> 'SELECT'
        """
    )
    assert writable == 0
