"""The JWKS document and the cache that verifiers in other processes read keys from."""

import logging
from collections.abc import Callable
from typing import Any

import pytest

from sp404 import tokens
from sp404.tokens import AccessTokenVerifier, InvalidToken, JwksCache, KeyRing
from sp404.tokens._base64url import uint_to_b64url


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_jwks_lists_the_public_half_of_every_verifiable_key(keyring: KeyRing) -> None:
    document = tokens.build_jwks(keyring)
    numbers = keyring.active.public_key.public_numbers()
    assert document == {
        "keys": [
            {
                "kty": "RSA",
                "kid": keyring.active_kid,
                "use": "sig",
                "alg": "RS256",
                "n": uint_to_b64url(numbers.n),
                "e": "AQAB",
            }
        ]
    }
    assert "d" not in document["keys"][0]


def test_jwks_lists_old_and_new_keys_after_rotation_until_prune(keyring: KeyRing) -> None:
    rotated = tokens.rotate(keyring.directory, access_ttl=3600, now=1_000_000)
    listed = {jwk["kid"] for jwk in tokens.build_jwks(rotated, now=1_000_100)["keys"]}
    assert listed == {keyring.active_kid, rotated.active_kid}
    tokens.prune(keyring.directory, now=1_004_000)
    pruned = KeyRing.load(keyring.directory)
    assert [jwk["kid"] for jwk in tokens.build_jwks(pruned)["keys"]] == [rotated.active_kid]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def http_cache(jwks_server: Any, clock: FakeClock) -> Any:
    cache = JwksCache(jwks_server.url, min_refresh_interval=30, max_age=300, clock=clock)
    yield cache
    await cache.aclose()


async def test_http_cache_fetches_the_jwks_and_verifies_a_token(
    keyring: KeyRing,
    jwks_server: Any,
    http_cache: JwksCache,
    issue: Callable[..., str],
    make_verifier: Callable[..., AccessTokenVerifier],
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    claims = await make_verifier(http_cache).verify(issue(tier="pro"))
    assert claims.tier == "pro"
    assert jwks_server.requests == ["/.well-known/jwks.json"]


async def test_unknown_kids_refresh_at_most_once_per_interval(
    keyring: KeyRing, jwks_server: Any, http_cache: JwksCache, clock: FakeClock
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    for made_up in ("kid-a", "kid-b", "kid-c"):
        assert await http_cache.get_key(made_up) is None
    assert len(jwks_server.requests) == 1
    clock.now += 29
    assert await http_cache.get_key("kid-d") is None
    assert len(jwks_server.requests) == 1
    clock.now += 1
    assert await http_cache.get_key("kid-e") is None
    assert len(jwks_server.requests) == 2


async def test_a_key_published_after_rotation_is_fetched_on_first_sight(
    keyring: KeyRing,
    jwks_server: Any,
    http_cache: JwksCache,
    clock: FakeClock,
    make_verifier: Callable[..., AccessTokenVerifier],
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    assert await http_cache.get_key(keyring.active_kid) is not None
    rotated = tokens.rotate(keyring.directory, access_ttl=3600)
    jwks_server.document = tokens.build_jwks(rotated)
    clock.now += 30
    token, _ = tokens.issue_access_token(
        rotated,
        user_id="u3",
        email="c@example.com",
        tier="free",
        verified=True,
        issuer="https://platform.sp404.test",
        audience="sp404-api",
    )
    assert (await make_verifier(http_cache).verify(token)).user_id == "u3"
    assert len(jwks_server.requests) == 2


async def test_cached_keys_keep_serving_when_the_platform_is_down(
    keyring: KeyRing,
    jwks_server: Any,
    http_cache: JwksCache,
    clock: FakeClock,
    issue: Callable[..., str],
    make_verifier: Callable[..., AccessTokenVerifier],
    caplog: pytest.LogCaptureFixture,
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    assert await http_cache.get_key(keyring.active_kid) is not None
    await jwks_server.stop()
    clock.now += 10_000  # past max_age and the refresh interval: a refresh is due and fails
    verifier = make_verifier(http_cache, cache_size=0)
    with caplog.at_level(logging.WARNING, logger="tokens"):
        assert await http_cache.get_key("unknown-kid") is None
        assert (await verifier.verify(issue(tier="pro"))).tier == "pro"
    assert http_cache.kids == {keyring.active_kid}
    assert "JWKS refresh failed" in caplog.text


async def test_stale_cache_refreshes_in_the_background_and_drops_removed_keys(
    keyring: KeyRing, jwks_server: Any, http_cache: JwksCache, clock: FakeClock
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    assert await http_cache.get_key(keyring.active_kid) is not None
    rotated = tokens.rotate(keyring.directory, access_ttl=0, leeway=0, now=1)
    jwks_server.document = tokens.build_jwks(rotated)  # the old key is already out
    clock.now += 301
    # The stale copy still answers at once; the refresh runs behind it.
    assert await http_cache.get_key(keyring.active_kid) is not None
    await http_cache.wait_for_background_refresh()
    assert len(jwks_server.requests) == 2
    assert http_cache.kids == {rotated.active_kid}


@pytest.mark.parametrize(
    "document",
    [
        {"keys": []},
        {"nope": 1},
        [1, 2],
        {"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]},
        {"keys": [{"kty": "EC", "kid": "e", "crv": "P-256", "x": "AA", "y": "AA"}]},
    ],
)
async def test_a_jwks_without_usable_rs256_keys_does_not_replace_the_cache(
    document: Any, keyring: KeyRing, jwks_server: Any, http_cache: JwksCache, clock: FakeClock
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    assert await http_cache.get_key(keyring.active_kid) is not None
    jwks_server.document = document
    clock.now += 30
    assert await http_cache.refresh() is False
    assert http_cache.kids == {keyring.active_kid}


@pytest.mark.parametrize(
    "change",
    [{"use": "enc"}, {"alg": "RS512"}, {"alg": "HS256"}, {"n": "AQAB"}, {"kid": ""}],
)
async def test_jwks_entries_not_fit_for_rs256_signatures_are_skipped(
    change: dict[str, str],
    keyring: KeyRing,
    jwks_server: Any,
    http_cache: JwksCache,
    issue: Callable[..., str],
    make_verifier: Callable[..., AccessTokenVerifier],
) -> None:
    [jwk] = tokens.build_jwks(keyring)["keys"]
    jwks_server.document = {"keys": [{**jwk, **change}]}
    with pytest.raises(InvalidToken):
        await make_verifier(http_cache).verify(issue())
