"""A pooled connection never carries one user's context into the next transaction, and no
constraint reveals or references another tenant's rows."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from sp404.core.db import create_pool, tenant_tx
from sp404.core.errors import NotFound
from sp404.core.settings import Settings
from tests.conftest import AsUser, CreateUser

pytestmark = pytest.mark.pgbouncer

WHO = "select current_setting('app.user_id', true) as who"


async def test_a_single_pooled_connection_never_leaks_a_user_between_requests(
    runtime_settings: Settings, create_user: CreateUser
) -> None:
    a, b = await create_user(), await create_user()
    pool = await create_pool(runtime_settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, a) as conn:
            await conn.execute("insert into app.kits (user_id, name) values ($1, 'A kit')", a)
        # A fails half-way: its transaction rolls back and its context must go with it.
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with tenant_tx(pool, a) as conn:
                await conn.execute("insert into app.kits (user_id, name) values ($1, 'Lost')", a)
                await conn.fetchval("select 1 / 0")
        async with pool.acquire() as conn:
            assert await conn.fetchval(WHO) in (None, "")
            assert await conn.fetch("select name from app.kits") == []
        async with tenant_tx(pool, b) as conn:
            assert await conn.fetchval(WHO) == str(b)
            assert await conn.fetch("select name from app.kits") == []
        async with tenant_tx(pool, a) as conn:
            names = [r["name"] for r in await conn.fetch("select name from app.kits")]
        assert names == ["A kit"]
    finally:
        await pool.close()


async def test_the_same_collection_name_is_free_for_each_tenant(
    producer_id: uuid.UUID, other_producer_id: uuid.UUID, as_user: AsUser
) -> None:
    insert = "insert into app.collections (user_id, name) values ($1, 'Boom Bap') returning id"
    await as_user(producer_id, insert, producer_id)
    # Someone else's identical name neither blocks nor reveals anything.
    rows = await as_user(other_producer_id, insert, other_producer_id)
    assert len(rows) == 1


async def test_referencing_another_tenants_sample_behaves_as_if_it_did_not_exist(
    pool: asyncpg.Pool, producer_id: uuid.UUID, other_producer_id: uuid.UUID, as_user: AsUser
) -> None:
    theirs = uuid.uuid4()
    await as_user(
        other_producer_id,
        "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256,"
        " blob_key) values ($1, $2, 'Secret', 's.wav', 'wav', 1, 'x', 'k')",
        theirs,
        other_producer_id,
    )
    [mine] = await as_user(
        producer_id,
        "insert into app.collections (user_id, name) values ($1, 'Mine') returning id",
        producer_id,
    )
    with pytest.raises(NotFound):
        async with tenant_tx(pool, producer_id) as conn:
            await conn.execute(
                "insert into app.collection_samples (user_id, collection_id, sample_id)"
                " values ($1, $2, $3)",
                producer_id,
                mine["id"],
                theirs,
            )
    missing = uuid.uuid4()
    with pytest.raises(NotFound):
        async with tenant_tx(pool, producer_id) as conn:
            await conn.execute(
                "insert into app.collection_samples (user_id, collection_id, sample_id)"
                " values ($1, $2, $3)",
                producer_id,
                mine["id"],
                missing,
            )


async def test_a_collection_cannot_be_nested_under_another_tenants_collection(
    pool: asyncpg.Pool, producer_id: uuid.UUID, other_producer_id: uuid.UUID, as_user: AsUser
) -> None:
    [theirs] = await as_user(
        other_producer_id,
        "insert into app.collections (user_id, name) values ($1, 'Theirs') returning id",
        other_producer_id,
    )
    with pytest.raises(NotFound):
        async with tenant_tx(pool, producer_id) as conn:
            await conn.execute(
                "insert into app.collections (user_id, parent_id, name) values ($1, $2, 'Child')",
                producer_id,
                theirs["id"],
            )
