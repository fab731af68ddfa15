"""Every request is counted by route template, method and status; 429s by the quota that refused."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from sp404.core.asgi import RequestContextMiddleware
from sp404.core.errors import QuotaExceeded, TooManyRequests
from sp404.core.http_errors import install_error_handlers
from sp404.observability import install_metrics


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """{(sample name, labels): value} of a Prometheus text page."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    """The value of one series, 0 when absent."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def small_service() -> FastAPI:
    """A service wired like ours (error shape, request context, metrics) with a few routes."""
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    install_metrics(app, "engine")

    @app.get("/api/samples/{sample_id}")
    async def sample(sample_id: uuid.UUID) -> dict[str, str]:
        return {"id": str(sample_id)}

    @app.post("/api/samples")
    async def upload() -> None:
        raise QuotaExceeded("Storage is full.", details={"quota": "storage", "used": 1})

    @app.post("/api/auth/login")
    async def login() -> None:
        raise TooManyRequests(retry_after=30)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    return app


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template_not_by_raw_path() -> None:
    transport = httpx.ASGITransport(app=small_service(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        for _ in range(3):
            assert (await client.get(f"/api/samples/{uuid.uuid4()}")).status_code == 200
        assert (await client.get("/api/samples/not-a-uuid")).status_code == 422
        assert (await client.get("/no/such/page")).status_code == 404
        text = await scrape(client)
    route = "/api/samples/{sample_id}"
    labels = {"service": "engine", "route": route, "method": "GET"}
    assert value(text, "sp404_http_requests_total", **labels, status="200") == 3
    assert value(text, "sp404_http_requests_total", **labels, status="422") == 1
    assert value(text, "sp404_http_request_duration_seconds_count", **labels) == 4
    unmatched = {"service": "engine", "route": "unmatched", "method": "GET", "status": "404"}
    assert value(text, "sp404_http_requests_total", **unmatched) == 1
    assert "not-a-uuid" not in text


async def test_quota_refusals_are_counted_by_the_quota_that_refused() -> None:
    transport = httpx.ASGITransport(app=small_service(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        refused = await client.post("/api/samples")
        assert refused.status_code == 429
        assert refused.json()["error"]["quota"] == "storage"
        assert (await client.post("/api/auth/login")).status_code == 429
        assert (await client.post("/api/auth/login")).status_code == 429
        text = await scrape(client)
    assert value(text, "sp404_quota_rejections_total", service="engine", quota="storage") == 1
    assert value(text, "sp404_quota_rejections_total", service="engine", quota="rate_limited") == 2


async def test_an_unhandled_error_is_counted_as_a_500() -> None:
    transport = httpx.ASGITransport(app=small_service(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        assert (await client.get("/boom")).status_code == 500
        text = await scrape(client)
    labels = {"service": "engine", "route": "/boom", "method": "GET", "status": "500"}
    assert value(text, "sp404_http_requests_total", **labels) == 1


async def test_metrics_are_refused_to_requests_that_came_through_a_proxy() -> None:
    transport = httpx.ASGITransport(app=small_service())
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        response = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_each_app_keeps_its_own_registry() -> None:
    first, second = small_service(), small_service()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=first), base_url="http://a"
    ) as client:
        await client.get(f"/api/samples/{uuid.uuid4()}")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://b"
    ) as client:
        text = await scrape(client)
    labels = {"service": "engine", "route": "/api/samples/{sample_id}", "method": "GET"}
    assert value(text, "sp404_http_requests_total", **labels, status="200") == 0
