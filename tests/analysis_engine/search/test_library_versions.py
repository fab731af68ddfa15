"""The similar-sounds cache's version query survives libraries whose summed write times pass what
a Python timedelta holds (999,999,999 days, about 48,700 rows of today's dates)."""

from __future__ import annotations

import uuid

import asyncpg

from analysis_engine.search.library import SQL
from sp404.core.db import tenant_tx
from tests.conftest import CreateUser


async def test_library_versions_of_a_library_past_a_billion_summed_days(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    async with tenant_tx(pool, user) as conn:
        # Sixteen rows in the year 200000 sum to more days (1.16e9) than a timedelta holds.
        for _ in range(16):
            sample_id = uuid.uuid4()
            await conn.execute(
                "insert into app.samples (id, user_id, title, filename, format, size_bytes,"
                " sha256, blob_key, created_at, updated_at) values ($1::uuid, $2, 't', 't.wav',"
                " 'wav', 1, md5($1::uuid::text), 'k', timestamptz '200000-01-01',"
                " timestamptz '200000-01-01')",
                sample_id,
                user,
            )
            await conn.execute(
                "insert into app.audio_features (user_id, sample_id, features, embedding,"
                " engine_version, created_at) values ($1, $2, '{}', array_fill(0.125::real,"
                " array[64]), 'test', timestamptz '200000-01-01')",
                user,
                sample_id,
            )
        versions = await conn.fetchrow(SQL["library_versions"])
    assert versions["samples_count"] == versions["features_count"] == 16
    assert versions["features_stamp"] > 16 * 365 * 86400 * 190_000


async def test_every_write_to_a_library_moves_its_version_and_the_count_follows(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    # Similar sounds and kit recommendations trust a cached library while this version stands
    # still, so an upload, an analysis, a vibe, an edit or a deletion must each move it; the
    # library list's total is the count beside it.
    user, other = await create_user(), await create_user()
    sample_id = uuid.uuid4()
    seen = []

    async def state(conn: asyncpg.Connection) -> tuple[int, int]:
        row = await conn.fetchrow("select version, samples_count from app.library_versions")
        seen.append(row["version"])
        return row["version"], row["samples_count"]

    async with tenant_tx(pool, user) as conn:
        assert (await state(conn))[1] == 0
        await conn.execute(
            "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256,"
            " blob_key) values ($1, $2, 't', 't.wav', 'wav', 1, 'abc', 'k')",
            sample_id,
            user,
        )
        assert (await state(conn))[1] == 1
        await conn.execute(
            "insert into app.audio_features (user_id, sample_id, features, embedding,"
            " engine_version) values ($1, $2, '{}', array_fill(0.125::real, array[64]), 't')",
            user,
            sample_id,
        )
        await state(conn)
        await conn.execute(
            "insert into app.vibe_analyses (user_id, sample_id, model, description)"
            " values ($1, $2, 'local', 'dusty')",
            user,
            sample_id,
        )
        await state(conn)
        await conn.execute("update app.samples set bpm = 90 where id = $1", sample_id)
        assert (await state(conn))[1] == 1
    async with tenant_tx(pool, other) as conn:
        other_version = await conn.fetchval("select version from app.library_versions")
        await conn.execute(
            "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256,"
            " blob_key) values ($1, $2, 't', 't.wav', 'wav', 1, 'abc', 'k')",
            uuid.uuid4(),
            other,
        )
    async with tenant_tx(pool, user) as conn:
        # Another producer's write moves only their own version.
        assert (await state(conn))[0] == seen[-2]
        await conn.execute("delete from app.samples where id = $1", sample_id)
        assert (await state(conn))[1] == 0
    assert len(set(seen)) == len(seen) - 1 and seen == sorted(seen)
    async with tenant_tx(pool, other) as conn:
        assert await conn.fetchval("select version from app.library_versions") != other_version
        # Deleting the account takes the samples and the version row with it.
        await conn.execute("delete from app.users where id = $1", other)
    async with tenant_tx(pool, other) as conn:
        assert await conn.fetch("select 1 from app.library_versions") == []
