"""The platform service (port 8000): accounts, tokens and billing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI

from sp404.accounts import data_rights
from sp404.accounts.context import Accounts
from sp404.accounts.mailer import run_mailer
from sp404.accounts.routes import router as accounts_router
from sp404.accounts.token_service import TokenService
from sp404.billing.lifecycle import start_billing
from sp404.billing.routes import router as billing_router
from sp404.core.settings import PlatformSettings
from sp404.http.service_app import create_service_app
from sp404.jobs import ClaimedJob, start_job_loop
from sp404.storage import create_blob_store
from sp404.tokens import generate as generate_keys
from sp404.tokens.openapi import describe_personal_tokens
from sp404.tokens.personal import PersonalTokenResolver


async def _start_accounts(app: FastAPI) -> Callable[[], Awaitable[None]]:
    settings: PlatformSettings = app.state.settings
    if settings.environment != "production":
        # Development and tests get a key ring on first start; production must provision one.
        generate_keys(settings.keys_dir)
    app.state.tokens = TokenService(settings, app.state.redis)
    app.state.personal_tokens = PersonalTokenResolver(
        app.state.pool, app.state.tokens.revocation, cache_ttl_s=settings.personal_token_cache_s
    )
    app.state.blobs = create_blob_store(settings)
    ctx = Accounts(app.state.pool, app.state.redis, app.state.tokens, app.state.blobs, settings)

    async def export_handler(pool: asyncpg.Pool, jobs: list[ClaimedJob], worker_id: str) -> None:
        await data_rights.run_export_jobs(ctx, jobs, worker_id)

    mailer = asyncio.create_task(run_mailer(app.state.pool, settings), name="mailer")
    stop_jobs = start_job_loop(
        app.state.pool,
        settings.database_url,
        {data_rights.EXPORT_JOB: export_handler},
        name="account-jobs",
        batch_size=2,
    )

    async def stop() -> None:
        mailer.cancel()
        await asyncio.gather(mailer, return_exceptions=True)
        await stop_jobs()
        await app.state.blobs.aclose()
        await app.state.tokens.aclose()

    return stop


def create_app(settings: PlatformSettings | None = None) -> FastAPI:
    """The platform ASGI app."""
    app = create_service_app(
        title="SP-404 Sample Cloud platform",
        service="platform",
        settings=settings or PlatformSettings(),
        routers=[accounts_router, billing_router],
        startup_hooks=[_start_accounts, start_billing],
    )
    describe_personal_tokens(app)
    return app
