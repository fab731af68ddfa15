"""Upstreams that die, drop, fail and come back: breakers, retries and fast refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.gateway.conftest import Mint, StartGateway, Stub, bearer
from tests.support import free_port


@pytest.fixture
def doomed_engine() -> Iterator[Stub]:
    """An engine instance this test may kill and restart."""
    stub = Stub(free_port()).start()
    yield stub
    stub.kill()


def test_a_dead_upstream_opens_its_breaker_then_503s_come_fast_and_it_recovers_after_restart(
    start_gateway: StartGateway, doomed_engine: Stub, mint: Mint
) -> None:
    gw = start_gateway(
        engine=[doomed_engine.url],
        SP404_GATEWAY_BREAKER_FAIL_MAX="3",
        SP404_GATEWAY_BREAKER_RESET_S="1.5",
    )
    token = bearer(mint(tier="enterprise"))
    assert gw.client.get("/api/jobs", headers=token).status_code == 200
    doomed_engine.kill()
    for _ in range(3):
        assert gw.client.get("/api/jobs", headers=token).status_code == 503

    started = time.perf_counter()
    refused = gw.client.get("/api/jobs", headers=token)
    elapsed = time.perf_counter() - started
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "service_unavailable"
    assert int(refused.headers["retry-after"]) >= 1
    assert elapsed < 0.1
    ready = gw.client.get("/readyz")
    assert ready.status_code == 200  # the platform's routes still work through this gateway
    assert ready.json()["status"] == "degraded"
    assert ready.json()["upstreams"]["engine"][0]["breaker"] == "open"

    doomed_engine.start()
    time.sleep(1.6)
    # Half-open: of five concurrent requests exactly one probe reaches the upstream.
    with ThreadPoolExecutor(5) as pool:
        probe = pool.submit(gw.client.get, "/api/jobs/slow?ms=800", headers=token)
        time.sleep(0.25)
        others = [
            pool.submit(gw.client.get, "/api/jobs/slow?ms=800", headers=token) for _ in range(4)
        ]
        statuses = [f.result().status_code for f in others]
    assert probe.result().status_code == 200
    assert statuses == [503, 503, 503, 503]
    assert doomed_engine.count("GET", "/api/jobs/slow") == 1
    assert gw.client.get("/api/jobs", headers=token).status_code == 200
    assert gw.client.get("/readyz").json()["upstreams"]["engine"][0]["breaker"] == "closed"


def test_upstream_5xx_answers_are_passed_on_and_open_the_breaker(
    start_gateway: StartGateway, engine_stub: Stub, mint: Mint
) -> None:
    gw = start_gateway(SP404_GATEWAY_BREAKER_FAIL_MAX="3", SP404_GATEWAY_BREAKER_RESET_S="30")
    token = bearer(mint(tier="enterprise"))
    for _ in range(3):
        assert gw.client.get("/api/jobs/status/503", headers=token).status_code == 503
    before = engine_stub.count("GET", "/api/jobs")
    refused = gw.client.get("/api/jobs", headers=token)
    assert refused.status_code == 503
    assert 1 <= int(refused.headers["retry-after"]) <= 30
    assert engine_stub.count("GET", "/api/jobs") == before


def test_a_get_that_cannot_connect_is_retried_on_another_instance_but_a_post_is_not(
    start_gateway: StartGateway, engine_stub: Stub, mint: Mint
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    gw = start_gateway(engine=[dead, engine_stub.url], SP404_GATEWAY_BREAKER_FAIL_MAX="100")
    token = bearer(mint(tier="enterprise"))
    gets_before = engine_stub.count("GET", "/api/collections")
    # Round robin starts at the dead instance, so the first attempt of each request fails.
    assert gw.client.get("/api/collections", headers=token).status_code == 200
    assert engine_stub.count("GET", "/api/collections") == gets_before + 1
    posts_before = engine_stub.count("POST", "/api/collections")
    refused = gw.client.post("/api/collections", json={"name": "drums"}, headers=token)
    assert refused.status_code == 503
    assert engine_stub.count("POST", "/api/collections") == posts_before


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_request_the_upstream_dropped_is_answered_502_and_never_retried(
    gateway_for_drops: tuple[str, Stub], mint: Mint, method: str
) -> None:
    url, stub = gateway_for_drops
    before = stub.count(method, "/api/jobs/drop")
    response = httpx.request(method, f"{url}/api/jobs/drop", headers=bearer(mint()), timeout=10)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "bad_gateway"
    assert stub.count(method, "/api/jobs/drop") == before + 1


@pytest.fixture
def gateway_for_drops(start_gateway: StartGateway, engine_stub: Stub) -> tuple[str, Stub]:
    return start_gateway().url, engine_stub


def test_all_instances_open_answers_503_at_once_without_trying_any(
    start_gateway: StartGateway, mint: Mint
) -> None:
    dead = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
    gw = start_gateway(
        engine=dead, SP404_GATEWAY_BREAKER_FAIL_MAX="1", SP404_GATEWAY_BREAKER_RESET_S="60"
    )
    token = bearer(mint(tier="enterprise"))
    gw.client.get("/api/samples", headers=token)
    gw.client.get("/api/samples", headers=token)
    started = time.perf_counter()
    refused = gw.client.get("/api/samples", headers=token)
    assert refused.status_code == 503
    assert time.perf_counter() - started < 0.1
    assert 50 <= int(refused.headers["retry-after"]) <= 60


def test_past_the_in_flight_cap_requests_are_shed_with_503_and_retry_after(
    start_gateway: StartGateway, mint: Mint
) -> None:
    gw = start_gateway(SP404_GATEWAY_MAX_IN_FLIGHT="1")
    token = bearer(mint(tier="enterprise"))
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(gw.client.get, "/api/jobs/slow?ms=1000", headers=token)
        time.sleep(0.3)
        shed = gw.client.get("/api/jobs", headers=token)
        assert slow.result().status_code == 200
    assert shed.status_code == 503
    assert shed.json()["error"]["code"] == "overloaded"
    assert shed.headers["retry-after"] == "1"
    assert gw.client.get("/api/jobs", headers=token).status_code == 200


def test_a_gateway_started_before_the_platform_accepts_tokens_once_keys_arrive(
    start_gateway: StartGateway, mint: Mint, jwks_file: Path
) -> None:
    late = Stub(free_port(), jwks_file)  # the platform, not started yet
    gw = start_gateway(platform=[late.url])
    try:
        not_ready = gw.client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["status"] == "not_ready"
        late.start()
        token = bearer(mint())
        deadline = time.monotonic() + 10
        statuses = []
        while time.monotonic() < deadline:
            statuses.append(gw.client.get("/api/account/profile", headers=token).status_code)
            if statuses[-1] == 200:
                break
            time.sleep(0.25)
        # Keys arrive by the start-up retry, not by a token lucky enough to trigger a fetch.
        assert statuses[-1] == 200, statuses
        assert gw.client.get("/readyz").status_code == 200
    finally:
        late.kill()
