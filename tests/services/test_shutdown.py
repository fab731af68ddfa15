"""A stopping service always ends: a cleanup that never returns is abandoned after its bound,
and the cleanups after it (the mailer's, the pool's) still run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from sp404.core.settings import Settings
from sp404.http.service_app import create_service_app

Cleanup = Callable[[], Awaitable[None]]


async def test_a_cleanup_that_never_returns_does_not_keep_the_service_alive(
    migrated_db: Settings,
) -> None:
    ran: list[str] = []

    async def records(app: FastAPI) -> Cleanup:
        async def cleanup() -> None:
            ran.append("records")

        return cleanup

    async def hangs(app: FastAPI) -> Cleanup:
        async def cleanup() -> None:
            await asyncio.Event().wait()

        return cleanup

    app = create_service_app(
        title="shutdown test",
        settings=migrated_db,
        startup_hooks=[records, hangs],
        shutdown_step_s=0.5,
    )
    started = time.monotonic()
    async with app.router.lifespan_context(app):
        pool = app.state.pool
    # The hung cleanup (last in, first out) is abandoned; the one before it and the pool still
    # close, well inside what a process manager waits after SIGTERM.
    assert time.monotonic() - started < 5.0
    assert ran == ["records"]
    assert pool.is_closing()
