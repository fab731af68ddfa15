"""Good tokens verify, across key rotation, from cache, and the cache never outlives them."""

import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404 import tokens
from sp404.tokens import AccessTokenVerifier, InvalidToken, JwksCache, KeyRing


class CountingKeySource:
    """A key source over fixed keys that counts lookups, to tell cache hits from misses."""

    def __init__(self, keys: dict[str, rsa.RSAPublicKey]) -> None:
        self.keys = keys
        self.lookups = 0

    async def get_key(self, kid: str) -> rsa.RSAPublicKey | None:
        self.lookups += 1
        return self.keys.get(kid)


async def test_fresh_token_verifies_with_the_claims_it_was_issued_with(
    keyring: KeyRing, verifier: AccessTokenVerifier
) -> None:
    user_id = uuid.uuid4()
    token, issued = tokens.issue_access_token(
        keyring,
        user_id=user_id,
        email="dilla@example.com",
        tier="pro",
        verified=False,
        issuer="https://platform.sp404.test",
        audience="sp404-api",
        sid="family-1",
    )
    claims = await verifier.verify(token)
    assert (claims.user_id, claims.email, claims.tier, claims.verified, claims.sid) == (
        str(user_id),
        "dilla@example.com",
        "pro",
        False,
        "family-1",
    )
    assert (claims.jti, claims.iat, claims.exp) == (issued["jti"], issued["iat"], issued["exp"])
    assert claims.raw == issued


async def test_issued_token_header_names_rs256_the_active_kid_and_the_access_token_type(
    keyring: KeyRing, issue: Callable[..., str]
) -> None:
    header = jwt.get_unverified_header(issue())
    assert header == {"alg": "RS256", "kid": keyring.active_kid, "typ": "at+jwt"}


async def test_every_token_gets_its_own_jti_of_at_least_128_bits(
    verifier: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    jtis = {(await verifier.verify(issue())).jti for _ in range(20)}
    assert len(jtis) == 20
    assert all(len(jti) >= 22 for jti in jtis)  # 22 base64url characters carry 128 bits


async def test_token_without_sid_verifies_with_sid_none(
    verifier: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    assert (await verifier.verify(issue())).sid is None


async def test_tokens_of_the_old_key_still_verify_after_rotation_and_new_ones_carry_the_new_kid(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    old_token = issue()
    rotated = tokens.rotate(keyring.directory, access_ttl=3600)
    assert rotated.active_kid != keyring.active_kid
    new_token, _ = tokens.issue_access_token(
        rotated,
        user_id="u1",
        email="a@example.com",
        tier="free",
        verified=True,
        issuer="https://platform.sp404.test",
        audience="sp404-api",
    )
    assert jwt.get_unverified_header(new_token)["kid"] == rotated.active_kid
    after_rotation = make_verifier(JwksCache.from_keyring(rotated))
    assert (await after_rotation.verify(old_token)).email == "producer@example.com"
    assert (await after_rotation.verify(new_token)).user_id == "u1"


async def test_verifier_that_predates_a_rotation_picks_up_the_new_key_from_disk(
    keyring: KeyRing, verifier: AccessTokenVerifier
) -> None:
    rotated = tokens.rotate(keyring.directory, access_ttl=3600)
    token, _ = tokens.issue_access_token(
        rotated,
        user_id="u2",
        email="b@example.com",
        tier="free",
        verified=True,
        issuer="https://platform.sp404.test",
        audience="sp404-api",
    )
    assert (await verifier.verify(token)).user_id == "u2"


async def test_repeat_verification_is_answered_from_cache_without_a_key_lookup(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    source = CountingKeySource(keyring.verification_keys())
    verifier = make_verifier(source)
    token = issue()
    first = await verifier.verify(token)
    second = await verifier.verify(token)
    assert second == first
    assert source.lookups == 1


async def test_cached_token_is_refused_as_expired_once_its_exp_passes(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    now = [time.time()]
    verifier = make_verifier(CountingKeySource(keyring.verification_keys()), clock=lambda: now[0])
    token = issue(ttl=60)
    await verifier.verify(token)
    now[0] += 60 + 30 + 1  # past exp and the leeway
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.code == "expired"


async def test_cache_holds_at_most_cache_size_tokens_and_forgets_the_least_recent(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    source = CountingKeySource(keyring.verification_keys())
    verifier = make_verifier(source, cache_size=2)
    first, second, third = issue(), issue(), issue()
    for token in (first, second, third, second, third):
        await verifier.verify(token)
    assert source.lookups == 3
    await verifier.verify(first)
    assert source.lookups == 4


async def test_cache_size_zero_verifies_the_signature_every_time(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    source = CountingKeySource(keyring.verification_keys())
    verifier = make_verifier(source, cache_size=0)
    token = issue()
    for _ in range(3):
        await verifier.verify(token)
    assert source.lookups == 3


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt"])
async def test_both_spellings_of_the_access_token_type_are_accepted(
    typ: str,
    verifier: AccessTokenVerifier,
    sign: Callable[..., str],
    valid_claims: dict[str, Any],
) -> None:
    claims = await verifier.verify(sign(valid_claims, headers={"typ": typ}))
    assert claims.tier == "pro"
