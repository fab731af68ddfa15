"""Rate limits, daily quotas, revocation, the tier cache and sign-in throttles on a Redis Cluster
of three masters (`SP404_REDIS_CLUSTER=true`), started by this module on free ports.

Every key a script or MGET touches carries the user id as its hash tag, so each user's keys sit
in one slot; the users here are spread until every master holds some of them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from gateway.limits import Limiter
from sp404.accounts.errors import LoginThrottled
from sp404.accounts.throttle import Limit, count, enforce, reset
from sp404.billing.tier_cache import publish_tier, tier_key
from sp404.core.redis_client import create_redis
from sp404.core.settings import Settings
from sp404.tokens import InvalidToken, RevocationStore
from sp404.tokens.claims import Claims
from tests.support.redis_cluster import Cluster, RedisClusterMissing, running_cluster

USERS = 12


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    try:
        with running_cluster(masters=3) as started:
            yield started
    except RedisClusterMissing as exc:
        pytest.skip(f"Redis Cluster runs skipped: {exc}")


@pytest.fixture
async def client(settings: Settings, cluster: Cluster) -> AsyncIterator[redis.Redis]:
    configured = settings.model_copy(update={"redis_url": cluster.url, "redis_cluster": True})
    made = create_redis(configured)
    yield made
    await made.aclose()


def _claims(user: str, *, personal: bool = False, iat: int | None = None) -> Claims:
    now = int(time.time())
    return Claims(
        user_id=user,
        email=f"{user[:8]}@example.com",
        tier="free",
        verified=True,
        jti=uuid.uuid4().hex,
        exp=now + 600,
        iat=now if iat is None else iat,
        sid=uuid.uuid4().hex,
        raw={},
        scopes=frozenset({"samples:read"}) if personal else None,
    )


def _users_on_every_master(cluster: Cluster) -> list[str]:
    users: list[str] = []
    masters: set[int] = set()
    while len(users) < USERS or len(masters) < 3:
        user = str(uuid.uuid4())
        users.append(user)
        masters.add(cluster.node_serving(tier_key(user)).port)
    return users


def _limiter(client: redis.Redis, store: RevocationStore, **limits: int) -> Limiter:
    allowance = limits.get("daily", 1000)
    return Limiter(
        client,
        store,
        allowances=lambda: {"free": allowance},
        per_minute=limits.get("minute", 100),
        per_address_minute=limits.get("address", 100),
    )


async def test_the_client_is_a_cluster_client_and_each_users_keys_share_one_slot(
    client: redis.Redis, cluster: Cluster
) -> None:
    assert isinstance(client, RedisCluster)
    store = RevocationStore(client)
    for user in _users_on_every_master(cluster):
        claims = _claims(user)
        keys = [
            store.jti_key(claims.jti, user),
            store.sid_key(str(claims.sid), user),
            store.valid_after_key(user),
            tier_key(user),
            f"sp404:rl:user:{{{user}}}",
            f"sp404:api_calls:{{{user}}}:20260101",
        ]
        assert len({key_slot(k.encode()) for k in keys}) == 1


async def test_the_per_minute_limit_holds_for_users_on_every_master(
    client: redis.Redis, cluster: Cluster
) -> None:
    limiter = _limiter(client, RevocationStore(client), minute=3)
    for user in _users_on_every_master(cluster):
        outcomes = [(await limiter.check_user(_claims(user), f"r{i}")).outcome for i in range(4)]
        assert outcomes == ["ok", "ok", "ok", "minute"]
    assert limiter.failures == 0


async def test_the_daily_quota_counts_personal_tokens_only(
    client: redis.Redis, cluster: Cluster
) -> None:
    limiter = _limiter(client, RevocationStore(client), daily=2)
    for user in _users_on_every_master(cluster):
        scripted = [
            (await limiter.check_user(_claims(user, personal=True), f"p{i}")).outcome
            for i in range(3)
        ]
        assert scripted == ["ok", "ok", "daily"]
        session = await limiter.check_user(_claims(user), "s")
        assert session.outcome == "ok"


async def test_revocations_hold_in_the_gate_and_in_the_store(
    client: redis.Redis, cluster: Cluster
) -> None:
    store = RevocationStore(client)
    limiter = _limiter(client, RevocationStore(client))
    for user in _users_on_every_master(cluster)[:6]:
        logged_out, signed_out, old = _claims(user), _claims(user), _claims(user, iat=1)
        await store.revoke_jti(logged_out.jti, logged_out.exp, user_id=user)
        await store.revoke_session(str(signed_out.sid), user_id=user)
        await store.set_valid_after(user, int(time.time()) - 5)
        for claims in (logged_out, signed_out, old):
            assert (await limiter.check_user(claims, "r")).outcome == "revoked"
            # A fresh store (another process) reads the same keys with one MGET.
            with pytest.raises(InvalidToken):
                await RevocationStore(client).check(claims)
        fine = _claims(user)
        assert (await limiter.check_user(fine, "r")).outcome == "ok"
        await RevocationStore(client).check(fine)


async def test_a_published_tier_is_the_one_the_gateway_enforces(
    client: redis.Redis, cluster: Cluster
) -> None:
    limiter = Limiter(
        client,
        RevocationStore(client),
        allowances=lambda: {"free": 1, "pro": 5},
        per_minute=100,
        per_address_minute=100,
    )
    for user in _users_on_every_master(cluster)[:6]:
        assert await publish_tier(client, user, "pro")
        verdict = await limiter.check_user(_claims(user, personal=True), "r")
        assert (verdict.tier, verdict.daily_limit) == ("pro", 5)


async def test_sign_in_throttles_and_address_limits_work_on_the_cluster(
    client: redis.Redis,
) -> None:
    limit = Limit("cluster-test", 3, 60)
    subject = f"someone-{uuid.uuid4().hex}@example.com"
    for _ in range(3):
        await enforce(client, limit, subject)
        await count(client, limit, subject)
    with pytest.raises(LoginThrottled):
        await enforce(client, limit, subject)
    await reset(client, limit, subject)
    await enforce(client, limit, subject)
    limiter = _limiter(client, RevocationStore(client), address=2)
    address = f"203.0.113.{uuid.uuid4().int % 250}"
    outcomes = [(await limiter.check_address(address, f"a{i}")).outcome for i in range(3)]
    assert outcomes == ["ok", "ok", "minute"]
