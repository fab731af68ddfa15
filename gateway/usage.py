"""API usage rows (`app.api_usage`) written off the request path, in batches.

Requests only append to a bounded in-memory queue; a background task flushes it about once a
second through `app.record_api_usage(jsonb)`, a SECURITY DEFINER function, since one batch holds
many users' rows. When the queue is full a row is dropped and counted (the request matters more
than its bookkeeping); rows of a batch the database refused are dropped and counted too, after
one log line, so a broken database cannot grow the gateway's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import deque
from typing import Any

import asyncpg

from sp404.core.db import tenant_tx

log = logging.getLogger("gateway.usage")

_RECORD = "select app.record_api_usage($1::jsonb)"


class UsageRecorder:
    """A bounded queue of usage rows and the task that flushes it."""

    def __init__(
        self, pool: asyncpg.Pool, *, max_rows: int, batch_size: int, interval_s: float
    ) -> None:
        self._pool = pool
        self._rows: deque[dict[str, Any]] = deque()
        self._max_rows = max_rows
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0
        self.written = 0

    def record(
        self,
        *,
        user_id: str,
        endpoint: str,
        method: str,
        status: int,
        duration_ms: int,
        via_token: bool = False,
    ) -> None:
        """Queue one row; drops (and counts) it when the queue is full."""
        if len(self._rows) >= self._max_rows:
            self.dropped += 1
            return
        self._rows.append(
            {
                "user_id": user_id,
                "endpoint": endpoint,
                "method": method,
                "status_code": status,
                "response_time_ms": duration_ms,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "via_token": via_token,
            }
        )

    @property
    def pending(self) -> int:
        """Rows waiting for the next flush."""
        return len(self._rows)

    def start(self) -> None:
        """Flush every interval until stopped."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the task and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        while self._rows:
            await self.flush()

    async def flush(self) -> int:
        """Write up to one batch now; returns how many rows were written."""
        count = min(len(self._rows), self._batch_size)
        if count == 0:
            return 0
        batch = [self._rows.popleft() for _ in range(count)]
        try:
            async with tenant_tx(self._pool, None) as conn:
                written = int(await conn.fetchval(_RECORD, batch) or 0)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self.dropped += count
            log.error("dropped %d usage rows: %s", count, type(exc).__name__)
            return 0
        self.written += written
        return written

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            while self._rows:
                if await self.flush() == 0:
                    break
