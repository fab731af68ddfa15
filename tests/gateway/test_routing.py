"""What reaches which upstream, with which headers, and what the gateway answers itself."""

from __future__ import annotations

import uuid

import pytest

from gateway.routing import resolve
from tests.gateway.conftest import Gateway, Mint, Stub, bearer


@pytest.mark.parametrize(
    ("method", "path", "upstream"),
    [
        ("GET", "/api/samples", "engine"),
        ("GET", "/api/samples/123/features", "engine"),
        ("POST", "/api/jobs", "engine"),
        ("GET", "/api/collections", "engine"),
        ("GET", "/api/kits/9", "engine"),
        ("GET", "/api/search", "engine"),
        ("GET", "/api/exports/5", "engine"),
        ("GET", "/api/account/profile", "platform"),
        ("GET", "/api/billing/subscription", "platform"),
        ("POST", "/api/auth/logout", "platform"),
    ],
)
def test_each_api_prefix_reaches_its_upstream(
    gateway: Gateway,
    mint: Mint,
    platform_stub: Stub,
    engine_stub: Stub,
    method: str,
    path: str,
    upstream: str,
) -> None:
    stub = engine_stub if upstream == "engine" else platform_stub
    before = stub.count(method, path)
    response = gateway.client.request(method, path, headers=bearer(mint()))
    assert response.status_code == 200
    assert response.json()["path"] == path
    assert stub.count(method, path) == before + 1


@pytest.mark.parametrize("path", ["/", "/api", "/api/samplesX", "/admin", "/api/unknown/thing"])
def test_paths_no_upstream_serves_answer_404_in_the_shared_error_shape(
    gateway: Gateway, path: str
) -> None:
    response = gateway.client.get(path, headers={"X-Request-ID": "req-404-check"})
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "There is no such endpoint.",
            "request_id": "req-404-check",
        }
    }


def test_request_id_travels_to_the_upstream_and_back(gateway: Gateway, mint: Mint) -> None:
    response = gateway.client.get(
        "/api/samples", headers={**bearer(mint()), "X-Request-ID": "trace-me-123"}
    )
    assert response.headers["x-request-id"] == "trace-me-123"
    assert response.json()["headers"]["x-request-id"] == "trace-me-123"


def test_a_request_without_an_id_gets_one_that_the_upstream_also_sees(
    gateway: Gateway, mint: Mint
) -> None:
    response = gateway.client.get("/api/samples", headers=bearer(mint()))
    assert response.headers["x-request-id"] == response.json()["headers"]["x-request-id"]


def test_query_string_and_encoded_path_arrive_unchanged(gateway: Gateway, mint: Mint) -> None:
    response = gateway.client.get(
        "/api/search/caf%C3%A9%2Fbeats?q=dusty%20rhodes&bpm=90&bpm=92", headers=bearer(mint())
    )
    assert response.json()["query"] == "q=dusty%20rhodes&bpm=90&bpm=92"
    assert response.json()["raw_path"] == "/api/search/caf%C3%A9%2Fbeats"


def test_upstream_sees_forwarded_headers_and_no_hop_by_hop_ones(
    gateway: Gateway, mint: Mint
) -> None:
    response = gateway.client.get(
        "/api/samples",
        headers={
            **bearer(mint()),
            "Connection": "keep-alive, X-Secret-Hop",
            "X-Secret-Hop": "should not pass",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "X-Forwarded-For": "203.0.113.7",
            "X-Custom": "kept",
        },
    )
    seen = response.json()["headers"]
    for name in ("x-secret-hop", "keep-alive", "te", "proxy-authorization"):
        assert name not in seen
    assert seen["x-custom"] == "kept"
    # The tests' gateway believes one proxy hop: the test client stands where a balancer would.
    assert seen["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == gateway.url.removeprefix("http://")


def test_client_sent_identity_headers_are_replaced_by_the_verified_ones(
    gateway: Gateway, mint: Mint
) -> None:
    user = uuid.uuid4()
    response = gateway.client.get(
        "/api/samples",
        headers={
            **bearer(mint(user, tier="pro")),
            "X-User-ID": str(uuid.uuid4()),
            "X-User-Tier": "enterprise",
        },
    )
    seen = response.json()["headers"]
    assert seen["x-user-id"] == str(user)
    assert seen["x-user-tier"] == "pro"


def test_public_routes_forward_without_identity_headers_even_if_the_client_sends_them(
    gateway: Gateway,
) -> None:
    response = gateway.client.post(
        "/api/auth/login",
        json={"email": "a@b.c", "password": "x"},
        headers={"X-User-ID": str(uuid.uuid4()), "X-User-Tier": "enterprise"},
    )
    assert response.status_code == 200
    seen = response.json()["headers"]
    assert "x-user-id" not in seen
    assert "x-user-tier" not in seen


def test_the_original_authorization_header_reaches_the_engine(gateway: Gateway, mint: Mint) -> None:
    token = mint()
    response = gateway.client.get("/api/kits", headers=bearer(token))
    assert response.json()["headers"]["authorization"] == f"Bearer {token}"


def test_upstream_error_statuses_are_passed_through(gateway: Gateway, mint: Mint) -> None:
    response = gateway.client.get("/api/samples/status/404", headers=bearer(mint()))
    assert response.status_code == 404


def test_metrics_count_requests_and_show_breaker_states(gateway: Gateway, mint: Mint) -> None:
    gateway.client.get("/api/samples", headers=bearer(mint()))
    text = gateway.client.get("/metrics").text
    assert 'gateway_requests_total{group="samples",status="200"}' in text
    assert "gateway_request_duration_seconds_bucket" in text
    assert 'gateway_breaker_state{instance="' in text
    assert "gateway_usage_rows_dropped_total" in text
    assert "gateway_requests_in_flight 0.0" in text


def test_metrics_are_not_served_through_the_public_load_balancer(gateway: Gateway) -> None:
    assert gateway.client.get("/metrics", headers={"X-Forwarded-For": "1.2.3.4"}).status_code == 404


def test_readyz_reports_redis_database_and_each_upstream_breaker(gateway: Gateway) -> None:
    response = gateway.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert [i["breaker"] for i in body["upstreams"]["engine"]] == ["closed"]
    assert [i["breaker"] for i in body["upstreams"]["platform"]] == ["closed"]


@pytest.mark.parametrize(
    ("method", "path", "public", "timeout"),
    [
        ("PUT", "/blobs/users/u/samples/s", True, "transfer"),
        ("GET", "/blobs/users/u/samples/s", True, "transfer"),
        ("DELETE", "/blobs/users/u/samples/s", False, "default"),
        ("GET", "/api/jobs/events", False, "transfer"),
        ("GET", "/api/samples/abc/stream", False, "transfer"),
    ],
)
def test_signed_blob_urls_pass_without_a_token_and_long_responses_get_long_timeouts(
    method: str, path: str, public: bool, timeout: str
) -> None:
    route = resolve(method, path, max_json=1, max_upload=2)
    assert route is not None and route.upstream == "engine"
    assert (route.public, route.timeout) == (public, timeout)
