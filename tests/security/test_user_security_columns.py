"""The runtime role cannot raise its own plan or forge what proves an account (issue 15, item 7).

Even a services' process talked into any SQL at all, with a producer's `app.user_id`, reaches the
plan, verification, password hash and token cut-off only through the SECURITY DEFINER functions,
and those change the signed-in user's own row and no other."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from sp404.core.db import tenant_tx

pytestmark = pytest.mark.pgbouncer


async def as_producer(pool: asyncpg.Pool, user_id: uuid.UUID, *statements: str) -> Any:
    """Run raw statements as sp404_app bound to `user_id`, with no error translation (tenant_tx
    answers a refused write as a 404; here the database's own refusal is the point)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.user_id', $1, true)", str(user_id))
        result = None
        for statement in statements:
            result = await conn.fetch(statement)
        return result


SECURITY_COLUMNS = [
    ("tier", "'enterprise'"),
    ("email_verified_at", "now()"),
    ("password_hash", "'$argon2id$forged'"),
    ("tokens_valid_after", "to_timestamp(0)"),
    ("email", "'someone-else@example.com'"),
    ("email_normalized", "'someone-else@example.com'"),
    ("id", "gen_random_uuid()"),
    ("created_at", "now()"),
]


@pytest.mark.parametrize(("column", "value"), SECURITY_COLUMNS)
async def test_the_runtime_role_cannot_update_a_security_column_of_its_own_row(
    pool: asyncpg.Pool, producer_id: uuid.UUID, column: str, value: str
) -> None:
    statement = f"update app.users set {column} = {value}"
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await as_producer(pool, producer_id, statement)


@pytest.mark.parametrize(
    ("column", "value"),
    [("first_name", "Ada"), ("last_name", "Lovelace"), ("avatar_key", "users/x/avatar.png")],
)
async def test_the_runtime_role_still_updates_profile_columns(
    pool: asyncpg.Pool, producer_id: uuid.UUID, column: str, value: str
) -> None:
    statement = f"update app.users set {column} = '{value}', updated_at = now() returning {column}"
    rows = await as_producer(pool, producer_id, statement)
    assert [r[column] for r in rows] == [value]


async def test_deleting_and_inserting_the_row_again_cannot_choose_plan_or_verification(
    pool: asyncpg.Pool, producer_id: uuid.UUID
) -> None:
    async with tenant_tx(pool, producer_id) as conn:
        email = await conn.fetchval("select email from app.users")
    for column, value in [("tier", "'enterprise'"), ("email_verified_at", "now()")]:
        reinsert = (
            "insert into app.users (id, email, email_normalized, password_hash, "
            f"{column}) values ('{producer_id}', '{email}', '{email}', 'x', {value})"
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await as_producer(pool, producer_id, "delete from app.users", reinsert)
    # Both transactions rolled back: the account is still there, on Free.
    async with tenant_tx(pool, producer_id) as conn:
        assert await conn.fetchval("select tier from app.users") == "free"


async def _user(pool: asyncpg.Pool, user_id: uuid.UUID) -> Any:
    async with tenant_tx(pool, user_id) as conn:
        return await conn.fetchrow(
            "select tier, email_verified_at, password_hash, tokens_valid_after from app.users"
        )


async def test_the_definer_functions_change_only_the_signed_in_users_row(
    pool: asyncpg.Pool, create_user: Any, other_producer_id: uuid.UUID
) -> None:
    unverified = await create_user(verified=False)
    before = await _user(pool, other_producer_id)
    async with tenant_tx(pool, unverified) as conn:
        assert await conn.fetchval("select app.set_user_tier('pro')") == unverified
        assert await conn.fetchval("select app.set_user_tier('pro')") is None  # no change
        assert await conn.fetchval("select app.mark_email_verified()") is not None
        await conn.execute("select app.set_password_hash('new-hash', now() + interval '1 s')")
    mine = await _user(pool, unverified)
    assert (mine["tier"], mine["password_hash"]) == ("pro", "new-hash")
    assert mine["email_verified_at"] is not None
    assert await _user(pool, other_producer_id) == before


async def test_without_a_signed_in_user_the_definer_functions_change_nothing(
    pool: asyncpg.Pool, producer_id: uuid.UUID
) -> None:
    before = await _user(pool, producer_id)
    async with tenant_tx(pool, None) as conn:
        assert await conn.fetchval("select app.set_user_tier('enterprise')") is None
        assert await conn.fetchval("select app.mark_email_verified()") is None
        await conn.execute("select app.set_password_hash('forged', now())")
    assert await _user(pool, producer_id) == before


async def test_the_token_cut_off_only_moves_forward(
    pool: asyncpg.Pool, producer_id: uuid.UUID
) -> None:
    async with tenant_tx(pool, producer_id) as conn:
        await conn.execute("select app.set_password_hash('h1', now() + interval '1 hour')")
        later = await conn.fetchval("select tokens_valid_after from app.users")
        await conn.execute("select app.set_password_hash('h2', to_timestamp(0))")
        await conn.execute("select app.set_password_hash('h3', null)")
        assert await conn.fetchval("select tokens_valid_after from app.users") == later
