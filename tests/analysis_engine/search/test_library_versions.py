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
