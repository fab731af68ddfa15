"""Pure ASGI middleware that counts and times every request of a service."""

from __future__ import annotations

import json
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sp404.observability.service_metrics import UNMATCHED_ROUTE, ServiceMetrics

# A 429 body is a small JSON error; more than this is not ours and is not parsed.
_MAX_REFUSAL_BODY = 16 * 1024


def _quota_name(body: bytes) -> str:
    """`storage`, `analyses`, ... from a quota error body; otherwise its error code."""
    try:
        error = json.loads(body)["error"]
        name = error.get("quota") or error.get("code")
    except (ValueError, KeyError, TypeError, AttributeError):
        return "unknown"
    return str(name) if isinstance(name, str) and len(name) <= 64 else "unknown"


class HttpMetricsMiddleware:
    """Records requests by route template (never the raw path: ids would explode the series),
    method and status, their latency, and 429s by the quota that refused them."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        refusal = bytearray()

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif (
                message["type"] == "http.response.body"
                and status == 429
                and len(refusal) < _MAX_REFUSAL_BODY
            ):
                refusal.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            self.metrics.observe(
                route, scope.get("method", ""), status, time.perf_counter() - started
            )
            if status == 429:
                self.metrics.reject(_quota_name(bytes(refusal)))
