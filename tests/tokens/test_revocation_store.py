"""Revocation against real Redis: the jti denylist, valid-after, and the outage fallback."""

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis.asyncio as redis

from sp404.tokens import (
    AccessTokenVerifier,
    InvalidToken,
    JwksCache,
    RevocationStore,
    RevocationUnavailable,
)
from sp404.tokens.claims import Claims


@pytest.fixture
def revocable(
    key_cache: JwksCache,
    store: RevocationStore,
    make_verifier: Callable[..., AccessTokenVerifier],
) -> AccessTokenVerifier:
    return make_verifier(key_cache, revocation=store)


@pytest.fixture
async def unreachable_store(closed_port: int) -> AsyncIterator[RevocationStore]:
    revocations = RevocationStore.from_url(f"redis://127.0.0.1:{closed_port}/15")
    yield revocations
    await revocations.aclose()


async def assert_revoked(verifier: AccessTokenVerifier, token: str) -> None:
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.code == "revoked"


async def test_revoked_jti_is_refused_on_the_very_next_verify_even_when_cached(
    revocable: AccessTokenVerifier, store: RevocationStore, issue: Callable[..., str]
) -> None:
    token = issue()
    claims = await revocable.verify(token)
    await revocable.verify(token)  # now certainly cached
    await store.revoke_jti(claims.jti, claims.exp, user_id=claims.user_id)
    await assert_revoked(revocable, token)


async def test_revoking_one_jti_leaves_the_users_other_tokens_valid(
    revocable: AccessTokenVerifier, store: RevocationStore, issue: Callable[..., str]
) -> None:
    laptop, phone = issue(user_id="u1"), issue(user_id="u1")
    claims = await revocable.verify(laptop)
    await store.revoke_jti(claims.jti, claims.exp, user_id=claims.user_id)
    assert (await revocable.verify(phone)).user_id == "u1"


async def test_revocation_is_seen_by_a_verifier_in_another_process(
    key_cache: JwksCache,
    store: RevocationStore,
    issue: Callable[..., str],
    make_verifier: Callable[..., AccessTokenVerifier],
) -> None:
    # A second store shares nothing in memory with the first, like a gateway replica.
    other = RevocationStore.from_url("redis://127.0.0.1:6379/15", key_prefix=store.key_prefix)
    gateway = make_verifier(key_cache, revocation=other)
    token = issue()
    claims = await gateway.verify(token)
    await store.revoke_jti(claims.jti, claims.exp, user_id=claims.user_id)
    await assert_revoked(gateway, token)
    await other.aclose()


async def test_denylist_entry_expires_with_the_token(
    store: RevocationStore, revocable: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    claims = await revocable.verify(issue(ttl=600))
    await store.revoke_jti(claims.jti, claims.exp, user_id=claims.user_id)
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    ttl = await client.ttl(store.jti_key(claims.jti, claims.user_id))
    await client.aclose()
    assert 600 < ttl <= 600 + 30 + 2  # until exp plus the verifier's leeway


async def test_valid_after_refuses_older_tokens_and_accepts_newer_ones(
    revocable: AccessTokenVerifier, store: RevocationStore, issue: Callable[..., str]
) -> None:
    now = int(time.time())
    before_reset = issue(user_id="u1", now=now - 10)
    other_user = issue(user_id="u2", now=now - 10)
    await revocable.verify(before_reset)
    await store.set_valid_after("u1", now)
    await assert_revoked(revocable, before_reset)
    assert (await revocable.verify(issue(user_id="u1", now=now))).user_id == "u1"
    assert (await revocable.verify(other_user)).user_id == "u2"


async def test_valid_after_never_moves_back(
    revocable: AccessTokenVerifier, store: RevocationStore, issue: Callable[..., str]
) -> None:
    now = int(time.time())
    token = issue(user_id="u1", now=now - 10)
    await store.set_valid_after("u1", now)
    await store.set_valid_after("u1", now - 100)
    await assert_revoked(revocable, token)


async def test_redis_down_keeps_a_revocation_made_through_this_process(
    key_cache: JwksCache,
    unreachable_store: RevocationStore,
    issue: Callable[..., str],
    make_verifier: Callable[..., AccessTokenVerifier],
    caplog: pytest.LogCaptureFixture,
) -> None:
    verifier = make_verifier(key_cache, revocation=unreachable_store)
    logged_out, other = issue(), issue()
    claims = await verifier.verify(logged_out)
    with caplog.at_level(logging.WARNING, logger="tokens"):
        with pytest.raises(RevocationUnavailable):
            await unreachable_store.revoke_jti(claims.jti, claims.exp, user_id=claims.user_id)
        await assert_revoked(verifier, logged_out)
        for _ in range(5):
            assert (await verifier.verify(other)).email == "producer@example.com"
    alarms = [r for r in caplog.records if r.name == "tokens" and r.levelno == logging.WARNING]
    assert len(alarms) == 1  # at most one alarm per interval, not one per request
    assert "local mirror" in alarms[0].getMessage()


async def test_redis_down_keeps_a_valid_after_set_through_this_process(
    key_cache: JwksCache,
    unreachable_store: RevocationStore,
    issue: Callable[..., str],
    make_verifier: Callable[..., AccessTokenVerifier],
) -> None:
    verifier = make_verifier(key_cache, revocation=unreachable_store)
    now = int(time.time())
    old = issue(user_id="u1", now=now - 10)
    with pytest.raises(RevocationUnavailable):
        await unreachable_store.set_valid_after("u1", now)
    await assert_revoked(verifier, old)
    assert (await verifier.verify(issue(user_id="u1", now=now))).user_id == "u1"


async def test_a_revocation_read_from_redis_is_remembered_through_an_outage(
    store: RevocationStore,
    redis_proxy: Any,
    issue: Callable[..., str],
    revocable: AccessTokenVerifier,
) -> None:
    claims = await revocable.verify(issue())
    await store.revoke_jti(claims.jti, claims.exp, user_id=claims.user_id)
    # A store in another process reaches the same Redis through a connection we can cut.
    reader = RevocationStore.from_url(
        f"redis://127.0.0.1:{redis_proxy.port}/15", key_prefix=store.key_prefix
    )
    with pytest.raises(InvalidToken):
        await reader.check(claims)
    await redis_proxy.stop()
    with pytest.raises(InvalidToken) as refused:
        await reader.check(claims)
    assert refused.value.code == "revoked"
    await reader.check(claims_for("u9", "never-revoked"))
    await reader.aclose()


def claims_for(user_id: str, jti: str) -> Claims:
    now = int(time.time())
    return Claims(
        user_id=user_id,
        email="x@example.com",
        tier="free",
        verified=True,
        jti=jti,
        exp=now + 600,
        iat=now,
        sid=None,
        raw={},
    )


async def test_unrevoked_claims_pass_the_check(store: RevocationStore) -> None:
    await store.check(claims_for("u9", "fresh-jti"))
