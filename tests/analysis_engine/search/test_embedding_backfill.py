"""`sp404 admin backfill-embeddings`: libraries analysed before the current similarity model get
its embedding (decoded from the stored file, nothing else of the analysis changes), and a second
run finds nothing left to do."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import asyncpg
import httpx

from analysis_engine.features import embedding
from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import producer_client, upload
from tests.analysis_engine.search.seed import towards
from tests.services.conftest import service_env
from tests.stack import Producer

__all__ = ["producer_client"]  # the fixture, imported for this module


async def _features(settings: Settings, user_id: str, sample_id: str, vector: list[float]) -> None:
    """Features as an engine of the first similarity layout left them (a tone: pitched)."""
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    features = {"duration_s": 1.5, "tempo_bpm": None, "tonality": 0.9, "key": "A", "mode": "major"}
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "insert into app.audio_features (user_id, sample_id, features, embedding,"
                " engine_version) values ($1::uuid, $2::uuid, $3::jsonb, $4, '1')",
                user_id,
                sample_id,
                json.dumps(features),
                vector,
            )
            await conn.execute("update app.samples set status = 'ready' where id = $1", sample_id)
    finally:
        await pool.close()


async def _embedding(settings: Settings, user_id: str, sample_id: str) -> list[float]:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            stored: list[float] = await conn.fetchval(
                "select embedding from app.audio_features where sample_id = $1", sample_id
            )
    finally:
        await pool.close()
    return stored


def test_the_backfill_rebuilds_old_embeddings_with_a_role_and_then_has_nothing_left(
    producer_client: httpx.Client, migrated_db: Settings, account: Producer
) -> None:
    first = upload(producer_client, "Old Tone", seconds=1.5)
    second = upload(producer_client, "Old Tone Two", seconds=1.5)
    for sample_id in (first, second):
        asyncio.run(_features(migrated_db, account.user_id, sample_id, towards(1.0)))
    before = producer_client.get(f"/api/samples/{first}/similar").json()
    assert before["role"] == "unknown"

    env = service_env(migrated_db, SP404_DATABASE_AUDITOR_URL=migrated_db.database_auditor_url)
    command = [
        sys.executable, "-m", "sp404.cli.main", "admin", "backfill-embeddings",
        "--user", str(account.user_id),
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "embeddings rebuilt: 2 (already current: 0)"

    stored = asyncio.run(_embedding(migrated_db, account.user_id, first))
    layout = embedding.read_layout(stored)
    assert (layout.layout, layout.revision) == (
        embedding.EMBEDDING_LAYOUT,
        embedding.model_revision(),
    )
    assert layout.role in ("one_shot", "texture")
    after = producer_client.get(f"/api/samples/{first}/similar").json()
    assert after["role"] == layout.role
    assert [r["sample"]["id"] for r in after["results"]] == [second]
    assert after["results"][0]["score"] > 0.9  # two takes of the same tone

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert (again.returncode, again.stdout.strip()) == (
        0,
        "embeddings rebuilt: 0 (already current: 2)",
    )
