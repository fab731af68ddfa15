"""Each service starts from the CLI, reports health and readiness, and answers errors as JSON."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway_signing import as_gateway
from tests.services.conftest import StartService

SERVICES = ["gateway", "platform", "engine"]


def upstreams(service: str, platform_url: str) -> dict[str, str]:
    """A gateway needs the platform's public keys before it calls itself ready."""
    return {"SP404_PLATFORM_URLS": f'["{platform_url}"]'} if service == "gateway" else {}


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_alive_and_ready_with_database_and_redis(
    service: str, start_service: StartService, platform_url: str
) -> None:
    url = start_service(service, **upstreams(service, platform_url))
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": {"ok": True}, "redis": {"ok": True}}


@pytest.mark.parametrize("service", SERVICES)
def test_without_redis_a_service_stays_in_rotation_but_reports_itself_degraded(
    service: str, start_service: StartService, platform_url: str
) -> None:
    url = start_service(
        service, SP404_REDIS_URL="redis://127.0.0.1:1/0", **upstreams(service, platform_url)
    )
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["redis"]["ok"] is False
    assert ready.json()["checks"]["database"]["ok"] is True


@pytest.mark.parametrize("service", ["platform", "engine"])
def test_unknown_routes_answer_the_json_error_shape_with_the_request_id(
    service: str, start_service: StartService
) -> None:
    url = start_service(service)
    response = httpx.get(
        f"{url}/no/such/route", auth=as_gateway(), headers={"X-Request-ID": "trace-123"}
    )
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not Found", "request_id": "trace-123"}
    }


def test_a_request_without_an_id_gets_a_fresh_one(start_service: StartService) -> None:
    url = start_service("platform")
    first = httpx.get(f"{url}/healthz").headers["x-request-id"]
    second = httpx.get(f"{url}/healthz").headers["x-request-id"]
    assert first and second and first != second


def test_a_hostile_request_id_is_replaced(start_service: StartService) -> None:
    url = start_service("engine")
    response = httpx.get(f"{url}/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"


def test_a_gateway_without_the_platforms_keys_is_not_ready(start_service: StartService) -> None:
    url = start_service("gateway", SP404_PLATFORM_URLS='["http://127.0.0.1:9"]')
    assert httpx.get(f"{url}/healthz").status_code == 200
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not_ready"
    assert ready.json()["checks"]["signing_keys"] is False
