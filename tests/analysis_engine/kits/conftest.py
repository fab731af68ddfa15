"""Producers with libraries for kit tests: uploads through the real engine, and analysed samples
written straight into the database (as their owner, through row-level security) when a test
needs analysis figures it can predict."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from sp404.core.settings import Settings
from tests.stack import Producer, engine_as

_INSERT = (
    "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256, blob_key,"
    " tags, duration_s, bpm, musical_key, is_loop, status)"
    " values ($1, $2, $3, $3 || '.wav', 'wav', 1000, md5(gen_random_uuid()::text),"
    " 'users/test/x', $4, $5, $6, $7, $8, 'ready')"
)
_VIBE = (
    "insert into app.vibe_analyses (user_id, sample_id, model, description, best_use)"
    " values ($1, $2, 'test', $3, $4)"
)
_FEATURES = (
    "insert into app.audio_features (user_id, sample_id, features, embedding, engine_version)"
    " values ($1, $2, $3::text::jsonb, $4, 'test')"
)


async def _insert(settings: Settings, user_id: str, samples: list[dict[str, Any]]) -> list[str]:
    conn = await asyncpg.connect(settings.database_url)
    ids = []
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", user_id)
            for sample in samples:
                sample_id = uuid.uuid4()
                await conn.execute(
                    _INSERT, sample_id, uuid.UUID(user_id), sample["title"],
                    sample.get("tags", []), sample.get("duration"), sample.get("bpm"),
                    sample.get("key"), sample.get("loop"),
                )  # fmt: skip
                if "vibe" in sample:
                    description, best_use = sample["vibe"]
                    await conn.execute(_VIBE, uuid.UUID(user_id), sample_id, description, best_use)
                if "centroid" in sample:
                    features = {
                        "spectral_centroid_hz": sample["centroid"],
                        "harmonic_percussive_ratio": sample.get("harmonic", 0.2),
                    }
                    embedding = [0.0] * 64
                    embedding[sample.get("axis", 0)] = 1.0
                    await conn.execute(
                        _FEATURES, uuid.UUID(user_id), sample_id, json.dumps(features), embedding
                    )
                ids.append(str(sample_id))
    finally:
        await conn.close()
    return ids


@pytest.fixture
def seed_library(migrated_db: Settings):  # type: ignore[no-untyped-def]
    """Write samples with known tempo, key, length and figures into a producer's library."""

    def seed(producer: Producer, samples: list[dict[str, Any]]) -> list[str]:
        return asyncio.run(_insert(migrated_db, producer.user_id, samples))

    return seed


@pytest.fixture
def client(engine_url: str, account: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `account`."""
    with engine_as(engine_url, account) as http:
        yield http
