"""The gateway service (port 8080): the only public door.

Middleware, outermost first: request id + access log, security headers, CORS (preflights end
there); then the gateway's own `/healthz`, `/readyz`, `/metrics`, and everything else through
the Door (routing, auth, limits, breakers, streaming proxy), with the built web app
answering GET and HEAD on every non-API path. Pure ASGI all the way: no
BaseHTTPMiddleware, which would buffer and re-wrap every streamed body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.cors import CorsMiddleware
from gateway.door import Door
from gateway.headers import header
from gateway.metrics import GatewayMetrics
from gateway.runtime import Runtime, start_runtime
from gateway.security_headers import SecurityHeadersMiddleware
from gateway.spa import SpaFiles
from sp404.core.asgi import RequestContextMiddleware, error_body
from sp404.core.errors import NotFound
from sp404.core.health import check_database, check_redis
from sp404.core.settings import GatewayServiceSettings

_PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: Request) -> JSONResponse:
    """Alive."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 while this gateway can serve, with every dependency's state for operators.

    A gateway keeps serving when a dependency fails: limits fail open without Redis, usage waits
    in its queue without the database, and a dead upstream gets fast 503s while the other one
    keeps working. Taking gateways out of the load balancer for any of these would turn a partial
    outage (say, the engine) into a total one (logins too), so they only mark it "degraded".
    """
    rt: Runtime = request.app.state.runtime
    database, redis_check = await asyncio.gather(check_database(rt.pool), check_redis(rt.redis))
    upstreams: dict[str, Any] = {}
    ready = database["ok"] and redis_check["ok"]
    if not rt.jwks.has_keys:
        # Without the platform's public keys every signed-in request would be refused (and a
        # web app would sign its producer out): stay out of the load balancer until they arrive.
        return JSONResponse(
            {
                "status": "not_ready",
                "checks": {"database": database, "redis": redis_check, "signing_keys": False},
            },
            status_code=503,
        )
    for name, pool in rt.pools.items():
        instances = [
            {"url": i.url, "breaker": i.breaker.state, "admits": i.breaker.admits()}
            for i in pool.instances
        ]
        ready = ready and any(i["admits"] for i in instances)
        upstreams[name] = instances
    return JSONResponse(
        {
            "status": "ready" if ready else "degraded",
            "checks": {"database": database, "redis": redis_check},
            "upstreams": upstreams,
        },
        status_code=200,
    )


async def metrics(request: Request) -> Response:
    """Prometheus text; refused through the public load balancer (which adds X-Forwarded-For)."""
    if header(request.scope, b"x-forwarded-for") is not None:
        request_id = request.scope.get("state", {}).get("request_id")
        body = error_body("not_found", NotFound.__doc__ or "Not found.", request_id)
        return Response(body, status_code=404, media_type="application/json")
    rt: Runtime = request.app.state.runtime
    rt.metrics.sync_usage_dropped(rt.usage.dropped)
    return Response(rt.metrics.render(), media_type=_PROMETHEUS_TEXT)


class _LazyDoor:
    """The Door once the lifespan has built the runtime."""

    def __init__(self) -> None:
        self.door: Door | None = None

    @property
    def in_flight(self) -> int:
        """Proxied requests in flight now."""
        return self.door.in_flight if self.door is not None else 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.door is None:
            raise RuntimeError("the gateway has not started")
        await self.door(scope, receive, send)


def create_app(
    settings: GatewayServiceSettings | None = None,
    gateway_settings: GatewaySettings | None = None,
) -> Starlette:
    """The gateway ASGI app."""
    # Only the gateway's sections: no storage, mail or Stripe secret is ever read here.
    settings = settings or GatewayServiceSettings()
    gateway = gateway_settings or GatewaySettings()
    door = _LazyDoor()
    gateway_metrics = GatewayMetrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await start_runtime(settings, gateway, gateway_metrics)
        app.state.runtime = runtime
        app.state.pool = runtime.pool
        app.state.redis = runtime.redis
        door.door = Door(runtime)
        gateway_metrics.watch(
            runtime.pools.values(), lambda: runtime.usage.pending, lambda: door.in_flight
        )
        try:
            yield
        finally:
            door.door = None
            await runtime.aclose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Mount("/", app=SpaFiles(door, gateway.web_dist)),
        ],
        middleware=[
            Middleware(RequestContextMiddleware),
            Middleware(SecurityHeadersMiddleware, trusted_proxy_hops=gateway.trusted_proxy_hops),
            Middleware(CorsMiddleware, origins=settings.cors_origins),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
