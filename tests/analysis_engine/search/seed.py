"""A producer's library written straight into the test database (as the producer, through
row-level security) with exact embeddings, tempos, keys and vibes, since the tests must know the
expected order before they ask."""

from __future__ import annotations

import asyncio
import math
import threading
import uuid
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import asyncpg

from analysis_engine.features import EMBEDDING_SIZE
from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings
from tests.support.audit import count_denials

T = TypeVar("T")

_INSERT_SAMPLE = (
    "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256, blob_key,"
    " genre, tags, bpm, musical_key, is_loop, status)"
    " values ($1, $2, $3, $3 || '.wav', 'wav', 1000, md5(gen_random_uuid()::text), 'users/test/x',"
    " $4, $5, $6, $7, $8, $9)"
)
_INSERT_FEATURES = (
    "insert into app.audio_features (user_id, sample_id, features, embedding, engine_version)"
    " values ($1, $2, '{}', $3, 'test')"
)
_INSERT_VIBE = (
    "insert into app.vibe_analyses (user_id, sample_id, model, description, moods, descriptors,"
    " genre) values ($1, $2, 'test-model', $3, $4, $5, $6)"
)


def towards(cosine: float, axis: int = 1) -> list[float]:
    """A unit embedding at the given cosine similarity to `towards(1.0)` (the first axis)."""
    vector = [0.0] * EMBEDDING_SIZE
    vector[0] = cosine
    vector[axis] = math.sqrt(max(0.0, 1.0 - cosine * cosine))
    return vector


class Seeder:
    """Writes samples, features and vibes as their owner, from synchronous tests."""

    def __init__(self, settings: Settings) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._settings = settings
        self._pool: asyncpg.Pool = self._run(create_pool(settings, min_size=1, max_size=2))

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def close(self) -> None:
        self._run(self._pool.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def sample(
        self,
        user_id: str,
        title: str = "Sample",
        *,
        embedding: Sequence[float] | None = None,
        bpm: float | None = None,
        key: str | None = None,
        loop: bool | None = None,
        tags: Sequence[str] = (),
        genre: str | None = None,
        vibe: str | None = None,
        moods: Sequence[str] = (),
        descriptors: Sequence[str] = (),
    ) -> str:
        """One sample of the user's (analysed when it has an embedding); returns its id."""
        sample_id = uuid.uuid4()
        owner = uuid.UUID(user_id)
        status = "ready" if embedding is not None else "pending"

        async def write() -> None:
            async with tenant_tx(self._pool, owner) as conn:
                await conn.execute(
                    _INSERT_SAMPLE,
                    sample_id,
                    owner,
                    title,
                    genre,
                    list(tags),
                    bpm,
                    key,
                    loop,
                    status,
                )
                if embedding is not None:
                    await conn.execute(_INSERT_FEATURES, owner, sample_id, list(embedding))
                if vibe is not None:
                    await conn.execute(
                        _INSERT_VIBE, owner, sample_id, vibe, list(moods), list(descriptors), genre
                    )

        self._run(write())
        return str(sample_id)

    def execute(self, user_id: str, sql: str, *args: Any) -> None:
        """Run one statement as the user."""

        async def run() -> None:
            async with tenant_tx(self._pool, user_id) as conn:
                await conn.execute(sql, *args)

        self._run(run())

    def denials(self, user_id: str, target_id: str) -> int:
        """How many access.denied audit entries name this user and target."""
        return self._run(count_denials(self._settings, user_id, target_id))
