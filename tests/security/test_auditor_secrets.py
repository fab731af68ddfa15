"""The auditor reads every tenant's data but no password or token hash (issue 15, item 8)."""

from __future__ import annotations

import asyncpg
import pytest

# The secrets that exist today; the catalog test below also covers any added later by name.
SECRETS = [
    ("users", "password_hash"),
    ("refresh_tokens", "token_hash"),
    ("email_tokens", "token_hash"),
    ("personal_access_tokens", "token_hash"),
]


@pytest.mark.parametrize(("table", "column"), SECRETS)
async def test_the_auditor_cannot_select_a_hash(
    auditor: asyncpg.Connection, table: str, column: str
) -> None:
    if await auditor.fetchval("select to_regclass($1)", f"app.{table}") is None:
        pytest.skip(f"app.{table} does not exist yet")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await auditor.fetch(f"select {column} from app.{table} limit 1")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await auditor.fetch(f"select * from app.{table} limit 1")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await auditor.fetch(f"select to_jsonb(t) from app.{table} t limit 1")


async def test_the_auditor_still_reads_the_rest_of_every_account(
    auditor: asyncpg.Connection, create_user: object
) -> None:
    user_id = await create_user(tier="pro")  # type: ignore[operator]
    row = await auditor.fetchrow(
        "select email, tier, email_verified_at, created_at from app.users where id = $1", user_id
    )
    assert row is not None and row["tier"] == "pro" and row["email"].endswith("@example.com")
    assert await auditor.fetchval("select count(*) from app.users") >= 1
    await auditor.fetch("select user_id, family_id, expires_at from app.refresh_tokens limit 1")
    await auditor.fetch("select user_id, purpose, used_at from app.email_tokens limit 1")


async def test_no_hash_column_anywhere_is_readable_by_the_auditor(
    owner: asyncpg.Connection,
) -> None:
    readable = await owner.fetch(
        """
        select c.relname || '.' || a.attname as col
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'app'
        where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
          and (a.attname = 'password_hash' or a.attname like '%token_hash')
          and has_column_privilege('sp404_auditor', c.oid, a.attnum, 'select')
        """
    )
    assert [r["col"] for r in readable] == []
