"""The test database from synchronous tests: a private event loop in a thread with a pool of
its own, so the HTTP side of a test stays plain blocking httpx."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

import asyncpg

from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings
from tests.support.audit import count_denials

T = TypeVar("T")

_INSERT_SAMPLE = (
    "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256, blob_key,"
    " genre, tags, bpm, musical_key, is_loop, status)"
    " values ($1, $2, $3, $3 || '.wav', 'wav', 1000, md5($3), 'users/test/x',"
    " $4, $5, $6, $7, $8, 'ready')"
)
_INSERT_FEATURES = (
    "insert into app.audio_features (user_id, sample_id, features, embedding, tempo_confidence,"
    " key_confidence, engine_version) values ($1, $2, '{}', '{0.1}', $3, $4, 'test')"
)


class Database:
    """Producers' rows, written as them through row-level security, and audit reads."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._pool: asyncpg.Pool = self._run(create_pool(settings, min_size=1, max_size=2))

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def close(self) -> None:
        self._run(self._pool.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def execute(self, user_id: str, sql: str, *args: Any) -> None:
        """Run one statement as the user."""

        async def run() -> None:
            async with tenant_tx(self._pool, user_id) as conn:
                await conn.execute(sql, *args)

        self._run(run())

    def add_sample(
        self,
        user_id: str,
        title: str = "Sample",
        *,
        tempo_confidence: float | None = None,
        key_confidence: float | None = None,
        **fields: Any,
    ) -> str:
        """A ready sample of the user's (with confidences when given); returns its id."""
        values: dict[str, Any] = {
            "genre": None,
            "tags": [],
            "bpm": None,
            "musical_key": None,
            "is_loop": None,
        }
        values.update(fields)
        sample_id = uuid.uuid4()
        owner = uuid.UUID(user_id)

        async def run() -> None:
            async with tenant_tx(self._pool, user_id) as conn:
                await conn.execute(
                    _INSERT_SAMPLE,
                    sample_id,
                    owner,
                    title,
                    *(values[k] for k in ("genre", "tags", "bpm", "musical_key", "is_loop")),
                )
                if tempo_confidence is not None or key_confidence is not None:
                    await conn.execute(
                        _INSERT_FEATURES, owner, sample_id, tempo_confidence, key_confidence
                    )

        self._run(run())
        return str(sample_id)

    def set_tier(self, user_id: str, tier: str) -> None:
        """Put the user on another plan, as billing does after a paid upgrade."""
        self.execute(user_id, "select app.set_user_tier($1)", tier)

    def denials(self, user_id: str, target_id: str) -> int:
        """How many access.denied entries the audit log holds for the user and the target."""
        return self._run(count_denials(self._settings, user_id, target_id))
