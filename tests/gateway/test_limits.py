"""Per-minute and daily limits as a client sees them: headers, 429s, and who is affected."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
import redis

from sp404.core.settings import Settings
from tests.conftest import CreateUser
from tests.gateway.conftest import Gateway, Mint, bearer
from tests.personal_tokens import insert_personal_token


@pytest.fixture
def store(migrated_db: Settings) -> Iterator[redis.Redis]:
    """A plain client on the Redis the gateway uses (the test database)."""
    client = redis.Redis.from_url(migrated_db.redis_url)
    yield client
    client.close()


def _day_key(user: uuid.UUID) -> str:
    return f"sp404:api_calls:{{{user}}}:{dt.datetime.now(dt.UTC):%Y%m%d}"


def test_the_101st_request_in_a_minute_gets_429_and_another_user_is_unaffected(
    gateway: Gateway, mint: Mint
) -> None:
    busy = bearer(mint(tier="enterprise"))
    calm = bearer(mint(tier="enterprise"))
    for expected_remaining in range(99, -1, -1):
        ok = gateway.client.get("/api/samples", headers=busy)
        assert ok.status_code == 200
        assert ok.headers["x-ratelimit-limit"] == "100"
        assert ok.headers["x-ratelimit-remaining"] == str(expected_remaining)
    refused = gateway.client.get("/api/samples", headers=busy)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.headers["x-ratelimit-limit"] == "100"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert 1 <= int(refused.headers["x-ratelimit-reset"]) <= 60
    assert gateway.client.get("/api/samples", headers=calm).status_code == 200


async def test_a_free_users_101st_scripted_call_of_the_day_is_refused_and_warned_about_before(
    gateway: Gateway, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="free")
    store.set(_day_key(user), 98)
    token = bearer(await insert_personal_token(pool, user))
    warned = gateway.client.get("/api/samples", headers=token)
    assert warned.status_code == 200
    assert warned.headers["x-quota-warning"] == "API requests today: 99 of 100 used"
    assert warned.headers["x-ratelimit-daily-remaining"] == "1"
    assert gateway.client.get("/api/samples", headers=token).status_code == 200
    refused = gateway.client.get("/api/samples", headers=token)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "quota_exceeded"
    assert refused.headers["x-ratelimit-limit"] == "100"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    seconds_to_midnight = 86_400 - dt.datetime.now(dt.UTC).hour * 3600
    assert 0 < int(refused.headers["retry-after"]) <= seconds_to_midnight


async def test_the_web_apps_session_is_never_refused_by_the_daily_quota_nor_counted(
    gateway: Gateway, mint: Mint, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="free")
    store.set(_day_key(user), 100)
    script = bearer(await insert_personal_token(pool, user))
    assert gateway.client.get("/api/samples", headers=script).status_code == 429
    session = bearer(mint(user, tier="free"))
    for _ in range(5):
        served = gateway.client.get("/api/samples", headers=session)
        assert served.status_code == 200
        assert "x-ratelimit-daily-limit" not in served.headers
        assert "x-quota-warning" not in served.headers
    assert int(store.get(_day_key(user)) or 0) == 100


async def test_no_warning_below_80_percent_of_the_daily_allowance(
    gateway: Gateway, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="free")
    store.set(_day_key(user), 50)
    token = bearer(await insert_personal_token(pool, user))
    response = gateway.client.get("/api/samples", headers=token)
    assert response.status_code == 200
    assert "x-quota-warning" not in response.headers


async def test_a_pro_user_past_the_free_allowance_is_served(
    gateway: Gateway, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="pro")
    store.set(_day_key(user), 150)
    token = bearer(await insert_personal_token(pool, user))
    response = gateway.client.get("/api/samples", headers=token)
    assert response.status_code == 200
    assert response.headers["x-ratelimit-daily-limit"] == "10000"


async def test_an_enterprise_user_has_no_daily_limit(
    gateway: Gateway, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="enterprise")
    store.set(_day_key(user), 1_000_000)
    token = bearer(await insert_personal_token(pool, user))
    response = gateway.client.get("/api/samples", headers=token)
    assert response.status_code == 200
    assert "x-ratelimit-daily-limit" not in response.headers


async def test_a_tier_change_in_redis_applies_on_the_next_request(
    gateway: Gateway, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="free")
    store.set(_day_key(user), 100)
    token = bearer(await insert_personal_token(pool, user))
    assert gateway.client.get("/api/samples", headers=token).status_code == 429
    store.set(f"sp404:tier:{{{user}}}", "pro")
    upgraded = gateway.client.get("/api/samples", headers=token)
    assert upgraded.status_code == 200
    assert upgraded.json()["headers"]["x-user-tier"] == "pro"
    store.set(f"sp404:tier:{{{user}}}", "free")
    assert gateway.client.get("/api/samples", headers=token).status_code == 429


async def test_refused_requests_do_not_use_up_the_daily_allowance(
    gateway: Gateway, pool: asyncpg.Pool, create_user: CreateUser, store: redis.Redis
) -> None:
    user = await create_user(tier="free")
    store.set(_day_key(user), 100)
    token = bearer(await insert_personal_token(pool, user))
    for _ in range(3):
        gateway.client.get("/api/samples", headers=token)
    assert int(store.get(_day_key(user)) or 0) == 100


def test_login_is_limited_per_client_address(gateway: Gateway) -> None:
    octets = uuid.uuid4().bytes[:3]
    address = {"X-Forwarded-For": f"10.{octets[0]}.{octets[1]}.{octets[2]}"}
    other = {"X-Forwarded-For": "2001:db8::" + uuid.uuid4().hex[:4]}
    for _ in range(60):
        assert gateway.client.post("/api/auth/login", headers=address).status_code == 200
    refused = gateway.client.post("/api/auth/login", headers=address)
    assert refused.status_code == 429
    assert refused.headers["x-ratelimit-limit"] == "60"
    assert int(refused.headers["retry-after"]) >= 1
    assert gateway.client.post("/api/auth/login", headers=other).status_code == 200
