"""Fixtures of the tenancy tests: two producers with a row in every tenant table."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import CreateUser
from tests.tenancy.seed import seed_every_table


@pytest.fixture
async def two_seeded_users(
    pool: asyncpg.Pool, create_user: CreateUser
) -> tuple[uuid.UUID, uuid.UUID]:
    """Two producers, each with the rows of tests/tenancy/seed.py in every tenant table."""
    a, b = await create_user(), await create_user()
    await seed_every_table(pool, a)
    await seed_every_table(pool, b)
    return a, b
