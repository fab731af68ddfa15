"""The role index refreshed after uploads, edits and deletions equals one built from scratch."""

from __future__ import annotations

import asyncpg
import numpy as np

from analysis_engine.kits.recommend import SQL, RoleIndexCache, _refresh
from sp404.core.db import tenant_tx
from tests.conftest import CreateUser

_SEED = (
    "insert into app.samples (user_id, title, filename, format, size_bytes, sha256, blob_key,"
    " tags, duration_s, bpm, musical_key, is_loop, status, created_at, updated_at)"
    " select $1::uuid, (array['Kick', 'Snare', 'Open Hat', 'Dusty Loop'])[1 + g % 4] || ' ' || g,"
    " 's' || g || '.wav', 'wav', 1, md5(g::text || $1::uuid::text), 'k', '{}',"
    " case when g % 4 = 3 then 8.0 else 0.5 end, 80 + g % 40, 'A minor', g % 4 = 3, 'ready',"
    " now() - make_interval(days => 400 + g), now() - make_interval(days => 1 + g)"
    " from generate_series(1, 300) g"
)


async def test_a_refreshed_index_equals_a_rebuilt_one(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    user = await create_user()
    cache = RoleIndexCache()
    async with tenant_tx(pool, user) as conn:
        await conn.execute(_SEED, user)
        first = await cache.load(conn, user)
    assert len(first.ids) == 300
    async with tenant_tx(pool, user) as conn:
        await conn.execute(
            "insert into app.samples (user_id, title, filename, format, size_bytes, sha256,"
            " blob_key, duration_s, status) values ($1, 'Kick Fresh', 'f.wav', 'wav', 1, 'f',"
            " 'k', 0.3, 'ready')",
            user,
        )
        await conn.execute("update app.samples set title = 'Clap 9', updated_at = now()"
                           " where title = 'Snare 9'")  # fmt: skip
        await conn.execute("delete from app.samples where title = 'Kick 4'")
        refreshed = await cache.load(conn, user)
        version = tuple(int(v) for v in (await conn.fetchrow(SQL["candidate_versions"])).values())
        rebuilt = await _refresh(conn, None, version)
    assert refreshed.version == rebuilt.version == version
    assert refreshed.ids == rebuilt.ids
    assert refreshed.ids[0] != first.ids[0]  # the upload is the newest
    assert np.array_equal(refreshed.fit, rebuilt.fit)
    assert np.array_equal(refreshed.bpm, rebuilt.bpm, equal_nan=True)
    assert np.array_equal(refreshed.key_code, rebuilt.key_code)
