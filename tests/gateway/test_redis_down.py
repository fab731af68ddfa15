"""Redis down: limits fail open with an alarm; revocations this gateway has seen still hold.

This is the behaviour `gateway/limits.py` documents: refusing all traffic because the limiter's
store is down would turn a cache outage into a full outage, so limits open; revocation falls
back to the in-process mirror of `tokens.RevocationStore`.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator

import jwt
import pytest
import redis

from tests.gateway.conftest import Mint, StartGateway, bearer
from tests.support import free_port


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway redis-server this test may stop."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0", process
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def test_with_redis_unreachable_requests_pass_unlimited_and_one_alarm_is_logged(
    start_gateway: StartGateway, mint: Mint
) -> None:
    gw = start_gateway(log=True, SP404_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    token = bearer(mint())
    for _ in range(5):
        response = gw.client.get("/api/samples", headers=token)
        assert response.status_code == 200
        assert "x-ratelimit-limit" not in response.headers
    login = gw.client.post("/api/auth/login", headers={"X-Forwarded-For": "10.9.8.7"})
    assert login.status_code == 200
    alarms = gw.log_lines("gateway.limits")
    assert len(alarms) == 1
    assert "limits are OPEN" in alarms[0]["msg"]
    ready = gw.client.get("/readyz")
    assert ready.status_code == 200  # still serving: limits open, documented
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["redis"]["ok"] is False


def test_when_redis_dies_a_revocation_the_gateway_saw_still_holds(
    start_gateway: StartGateway,
    mint: Mint,
    own_redis: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, server = own_redis
    gw = start_gateway(SP404_REDIS_URL=url)
    revoked = mint()
    claims = jwt.decode(revoked, options={"verify_signature": False})
    client = redis.Redis.from_url(url)
    client.set(f"sp404:revoked:jti:{{{claims['sub']}}}:{claims['jti']}", b"1", ex=3600)
    client.close()
    assert gw.client.get("/api/samples", headers=bearer(revoked)).status_code == 401

    server.kill()
    server.wait(timeout=10)
    assert gw.client.get("/api/samples", headers=bearer(revoked)).status_code == 401
    fresh = gw.client.get("/api/samples", headers=bearer(mint(uuid.uuid4())))
    assert fresh.status_code == 200
    assert "x-ratelimit-limit" not in fresh.headers
