"""Daily API allowances per tier from `app.plans`, read at start-up and every few minutes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from types import MappingProxyType

import asyncpg

from sp404.core.db import tenant_tx

log = logging.getLogger("gateway.plans")

# app.plans is global product data; its policy lets the runtime role read it with no user set.
_ALLOWANCES = "select id, api_calls_per_day from app.plans"


class PlanAllowances:
    """Tier -> API calls per day (None = unlimited); the latest good read wins."""

    def __init__(self, pool: asyncpg.Pool, *, refresh_s: float) -> None:
        self._pool = pool
        self._refresh_s = refresh_s
        self._current: Mapping[str, int | None] = MappingProxyType({})
        self._task: asyncio.Task[None] | None = None

    def __call__(self) -> Mapping[str, int | None]:
        """The allowances now in force."""
        return self._current

    async def load(self) -> None:
        """Read the table now; raises when the database cannot answer."""
        async with tenant_tx(self._pool, None) as conn:
            rows = await conn.fetch(_ALLOWANCES)
        self._current = MappingProxyType({r["id"]: r["api_calls_per_day"] for r in rows})

    def start(self) -> None:
        """Refresh every `refresh_s` until stopped."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop refreshing."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_s)
            try:
                await self.load()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # Keep enforcing the last good numbers: plans change rarely.
                log.warning("plan allowances not refreshed: %s", type(exc).__name__)
