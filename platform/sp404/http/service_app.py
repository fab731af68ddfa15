"""The common frame of the platform and engine services: pool, Redis, errors, health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sp404.core.asgi import RequestContextMiddleware
from sp404.core.db import create_pool
from sp404.core.gateway_signature import GatewaySecrets, RequireGateway, generate_secrets
from sp404.core.health import check_database, check_redis
from sp404.core.http_errors import install_error_handlers
from sp404.core.redis_client import create_redis
from sp404.core.settings import ServiceSettings
from sp404.http.collector import tune_for_service
from sp404.observability import install_metrics

# A hook runs at start-up with the app (whose state already holds pool and redis) and may return
# an async cleanup to run at shutdown.
StartupHook = Callable[[FastAPI], Awaitable[Callable[[], Awaitable[None]] | None]]
# How long each shutdown step may take before the next one runs regardless. A step that hung
# (seen once, most likely the billing cleanup of a test run's platform) kept the process alive
# after SIGTERM, its mailer still claiming the outbox, for as long as nobody killed it.
SHUTDOWN_STEP_S = 10.0

log = logging.getLogger("service")


def _bounded(
    step: Callable[[], Awaitable[None]],
    name: str,
    limit_s: float,
    on_timeout: Callable[[], None] | None = None,
) -> Callable[[], Awaitable[None]]:
    """`step` abandoned after `limit_s` with an error in the log, then `on_timeout` if given."""

    async def run() -> None:
        try:
            await asyncio.wait_for(step(), limit_s)
        except TimeoutError:
            log.error("shutdown step timed out", extra={"step": name, "limit_s": limit_s})
            if on_timeout is not None:
                on_timeout()

    return run


class Liveness(BaseModel):
    """The process is alive."""

    status: Literal["ok"]


class DependencyCheck(BaseModel):
    """One dependency's answer: ok, or the kind of error it gave."""

    ok: bool
    error: str | None = Field(default=None, description="the exception's class name when not ok")


class Readiness(BaseModel):
    """Whether the service should take traffic: `not_ready` (503) without the database,
    `degraded` (200) without Redis."""

    status: Literal["ready", "degraded", "not_ready"]
    checks: dict[Literal["database", "redis"], DependencyCheck]


def create_service_app(
    *,
    title: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter] = (),
    startup_hooks: Sequence[StartupHook] = (),
    service: str | None = None,
    shutdown_step_s: float = SHUTDOWN_STEP_S,
) -> FastAPI:
    """A FastAPI app with the shared lifespan, middleware, error shape, health and metrics.

    At shutdown each cleanup (the hooks' in reverse, then Redis, then the pool) gets
    `shutdown_step_s`; one that overruns is abandoned with an error in the log, so the process
    always ends."""
    service = service or title

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            app.state.pool = await create_pool(settings)
            # close() waits for every connection to come back; one that never does is cut.
            pool = app.state.pool
            stack.push_async_callback(
                _bounded(pool.close, "database pool", shutdown_step_s, on_timeout=pool.terminate)
            )
            app.state.redis = create_redis(settings)
            stack.push_async_callback(_bounded(app.state.redis.aclose, "redis", shutdown_step_s))
            for hook in startup_hooks:
                cleanup = await hook(app)
                if cleanup is not None:
                    name = getattr(hook, "__name__", "hook")
                    stack.push_async_callback(_bounded(cleanup, name, shutdown_step_s))
            tune_for_service()
            yield

    app = FastAPI(title=title, lifespan=lifespan, version="0.1.0")
    app.state.settings = settings
    install_error_handlers(app)
    if settings.environment != "production":
        # Development and tests share one machine's secrets file; production provisions them.
        generate_secrets(settings.keys_dir)
    # Inside the request context (added first, so it wraps less): its 403 carries a request id.
    app.add_middleware(RequireGateway, secrets_of=GatewaySecrets(settings))
    app.add_middleware(RequestContextMiddleware)
    # Outside the request context, so its 500s for unhandled errors are counted too. Only the
    # engine reports the job queue: one series per cluster, not one per service.
    install_metrics(app, service, with_queue=service == "engine")

    @app.get("/healthz", tags=["health"], response_model=Liveness)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "The database does not answer"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        checks = {
            "database": await check_database(request.app.state.pool),
            "redis": await check_redis(request.app.state.redis),
        }
        # Without the database nothing works: out of the load balancer. Without Redis the
        # service still answers (throttles fail open, revocation uses its local copy): degraded,
        # but kept in rotation, or a cache outage would become a full outage.
        if not checks["database"]["ok"]:
            status, code = "not_ready", 503
        elif not checks["redis"]["ok"]:
            status, code = "degraded", 200
        else:
            status, code = "ready", 200
        return JSONResponse({"status": status, "checks": checks}, status_code=code)

    for router in routers:
        app.include_router(router)
    return app
