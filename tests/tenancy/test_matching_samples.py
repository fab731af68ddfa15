"""Text search's definer function (app.matching_samples) reads past the runtime role's policy so
that a GIN index can answer it; these attacks check that it still returns only the caller's
samples, whoever asks and however the query is written."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import AsUser

pytestmark = pytest.mark.pgbouncer

# Every seeded sample is titled "Kick" and carries the vibe "dusty" (tests/tenancy/seed.py).
MATCHES = "select id from app.matching_samples(to_tsquery('english', $1))"


@pytest.mark.parametrize("words", ["kick", "dusty", "kick | dusty", "kick & dusty", "k:*"])
async def test_a_producer_matches_only_their_own_samples(
    words: str, two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    a, b = two_seeded_users
    # Both producers hold a sample these words match (the seeded sample's id is its owner's).
    assert [r["id"] for r in await as_user(a, MATCHES, words)] == [a]
    assert [r["id"] for r in await as_user(b, MATCHES, words)] == [b]


async def test_nobody_signed_in_matches_nothing(
    two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    assert await as_user(None, MATCHES, "kick | dusty") == []


async def test_the_function_takes_no_producer_from_its_caller(
    two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    a, b = two_seeded_users
    # Only a tsquery goes in: there is no argument that could name another producer.
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await as_user(a, "select id from app.matching_samples(to_tsquery('kick'), $1)", b)


async def test_the_definer_role_cannot_change_samples_through_its_policy(
    owner: asyncpg.Connection,
) -> None:
    # Its policy on samples (which checks nothing) is for SELECT only, and it holds no other
    # privilege there: a future definer function could not write anyone's samples with it.
    rows = await owner.fetch(
        "select cmd from pg_policies"
        " where schemaname = 'app' and tablename = 'samples' and 'sp404_definer' = any(roles)"
    )
    assert [r["cmd"] for r in rows] == ["SELECT"]
    grants = await owner.fetch(
        "select privilege_type from information_schema.role_table_grants"
        " where grantee = 'sp404_definer' and table_schema = 'app' and table_name = 'samples'"
    )
    assert [g["privilege_type"] for g in grants] == ["SELECT"]
