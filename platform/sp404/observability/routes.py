"""`/metrics` on a FastAPI service, with the HTTP metrics middleware in front of it."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from sp404.core.asgi import error_body
from sp404.core.errors import NotFound
from sp404.observability.jobs import JOB_METRICS
from sp404.observability.middleware import HttpMetricsMiddleware
from sp404.observability.service_metrics import ServiceMetrics

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def install_metrics(app: FastAPI, service: str, *, with_queue: bool = False) -> ServiceMetrics:
    """Count every request of `app` and serve its metrics (and this process's jobs') at /metrics."""
    metrics = ServiceMetrics(
        service, lambda: getattr(app.state, "pool", None), with_queue=with_queue
    )
    app.state.metrics = metrics

    async def serve_metrics(request: Request) -> Response:
        # Prometheus scrapes instances directly; a request that came through a proxy (which
        # adds X-Forwarded-For) is a member of the public and gets the same 404 as the gateway's.
        if request.headers.get("x-forwarded-for") is not None:
            request_id = request.scope.get("state", {}).get("request_id")
            body = error_body("not_found", NotFound.__doc__ or "Not found.", request_id)
            return Response(body, status_code=404, media_type="application/json")
        state = request.app.state
        await metrics.refresh(getattr(state, "pool", None), getattr(state, "redis", None))
        return Response(metrics.render() + JOB_METRICS.render(), media_type=PROMETHEUS_TEXT)

    app.add_api_route("/metrics", serve_metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    return metrics
