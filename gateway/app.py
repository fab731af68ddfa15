"""The gateway service (port 8080): the only public door."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tenancy.asgi import RequestContextMiddleware
from tenancy.db import create_pool
from tenancy.health import check_database, check_redis
from tenancy.redis_client import create_redis
from tenancy.settings import Settings, get_settings


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    checks = {
        "database": await check_database(request.app.state.pool),
        "redis": await check_redis(request.app.state.redis),
    }
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    """The gateway ASGI app."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(settings, min_size=1, max_size=4)
        app.state.redis = create_redis(settings)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.pool.close()

    app = Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz)],
        lifespan=lifespan,
    )
    app.add_middleware(RequestContextMiddleware)
    return app
