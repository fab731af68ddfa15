"""Every forged, stale or misdirected token is refused with the same terse InvalidToken."""

import base64
import datetime
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sp404 import tokens
from sp404.tokens import AccessTokenVerifier, InvalidToken, JwksCache, KeyRing


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value).encode())


async def assert_refused(verifier: AccessTokenVerifier, token: Any, code: str = "invalid") -> None:
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.code == code
    # The message names the outcome, never the check that failed or anything from the token.
    assert str(refused.value) in {
        "The access token is not valid.",
        "The access token has expired.",
        "The access token has been revoked.",
    }


@pytest.fixture
def attacker_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_alg_none_token_is_refused(
    verifier: AccessTokenVerifier, keyring: KeyRing, valid_claims: dict[str, Any]
) -> None:
    header = {"alg": "none", "typ": "at+jwt", "kid": keyring.active_kid}
    await assert_refused(verifier, f"{segment(header)}.{segment(valid_claims)}.")


async def test_hs256_token_signed_with_the_public_key_pem_is_refused(
    verifier: AccessTokenVerifier, keyring: KeyRing, valid_claims: dict[str, Any]
) -> None:
    public_pem = keyring.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": keyring.active_kid}
    signing_input = f"{segment(header)}.{segment(valid_claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    await assert_refused(verifier, f"{signing_input}.{b64(mac)}")


async def test_es256_token_is_refused(
    verifier: AccessTokenVerifier, keyring: KeyRing, valid_claims: dict[str, Any]
) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(
        valid_claims,
        ec_key,
        algorithm="ES256",
        headers={"kid": keyring.active_kid, "typ": "at+jwt"},
    )
    await assert_refused(verifier, token)


async def test_token_with_an_unknown_kid_is_refused(
    verifier: AccessTokenVerifier,
    sign: Callable[..., str],
    attacker_key: rsa.RSAPrivateKey,
    valid_claims: dict[str, Any],
) -> None:
    kid = tokens.keys.thumbprint(attacker_key.public_key())
    await assert_refused(verifier, sign(valid_claims, key=attacker_key, headers={"kid": kid}))


def self_signed_certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


@pytest.mark.parametrize("header", ["jku", "x5u", "jwk", "x5c"])
@pytest.mark.parametrize("kid_choice", ["platform kid", "attacker kid"])
async def test_key_carrying_headers_are_ignored_and_never_fetched(
    header: str,
    kid_choice: str,
    verifier: AccessTokenVerifier,
    keyring: KeyRing,
    sign: Callable[..., str],
    attacker_key: rsa.RSAPrivateKey,
    attacker_server: Any,
    valid_claims: dict[str, Any],
) -> None:
    attacker_kid = tokens.keys.thumbprint(attacker_key.public_key())
    attacker_jwks = tokens.build_jwks(tokens.generate(keyring.directory.parent / "attacker"))
    attacker_server.document = attacker_jwks
    values: dict[str, Any] = {
        "jku": attacker_server.url,
        "x5u": attacker_server.url,
        "jwk": {
            "kty": "RSA",
            "kid": attacker_kid,
            "n": b64(attacker_key.public_key().public_numbers().n.to_bytes(256, "big")),
            "e": "AQAB",
        },
        "x5c": [self_signed_certificate(attacker_key)],
    }
    kid = keyring.active_kid if kid_choice == "platform kid" else attacker_kid
    token = sign(valid_claims, key=attacker_key, headers={"kid": kid, header: values[header]})
    await assert_refused(verifier, token)
    assert attacker_server.requests == []


async def test_expired_token_is_refused_as_expired(
    verifier: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    token = issue(now=int(time.time()) - 7200, ttl=3600)
    await assert_refused(verifier, token, code="expired")


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("nbf", "future"),
        ("iat", "future"),
        ("exp", "missing"),
        ("iat", "missing"),
        ("jti", "missing"),
        ("sub", "missing"),
        ("iss", "missing"),
        ("aud", "missing"),
        ("aud", "another-service"),
        ("iss", "https://evil.example"),
        ("verified", "yes"),
        ("sub", 42),
    ],
)
async def test_token_with_a_bad_or_missing_claim_is_refused(
    change: str,
    value: Any,
    verifier: AccessTokenVerifier,
    sign: Callable[..., str],
    valid_claims: dict[str, Any],
) -> None:
    claims = dict(valid_claims)
    if value == "missing":
        del claims[change]
    elif value == "future":
        claims[change] = int(time.time()) + 600
    else:
        claims[change] = value
    await assert_refused(verifier, sign(claims))


async def test_token_for_another_audience_is_refused(
    verifier: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    await assert_refused(verifier, issue(audience="some-other-api"))


async def test_token_from_another_issuer_is_refused(
    verifier: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    await assert_refused(verifier, issue(issuer="https://elsewhere.example"))


@pytest.mark.parametrize("typ", ["JWT", "at+JWT+extra", None])
async def test_token_without_the_access_token_type_is_refused(
    typ: str | None,
    verifier: AccessTokenVerifier,
    sign: Callable[..., str],
    valid_claims: dict[str, Any],
) -> None:
    await assert_refused(verifier, sign(valid_claims, headers={"typ": typ}))


@pytest.mark.parametrize(
    "token",
    [
        tokens.new_opaque_token(),
        "",
        "a.b",
        "a.b.c",
        "....",
        "not base64!.e30.sig",
        f"{b64(b'[1, 2]')}.e30.sig",
        f"{b64(b'[' * 5000)}.e30.sig",
        "x" * 20000,
        None,
        b"bytes.are.refused",
    ],
)
async def test_opaque_or_malformed_string_is_refused(
    token: Any, verifier: AccessTokenVerifier
) -> None:
    await assert_refused(verifier, token)


async def test_tampered_payload_is_refused(
    verifier: AccessTokenVerifier, issue: Callable[..., str]
) -> None:
    token = issue(tier="free")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["tier"] = "pro"
    await assert_refused(verifier, f"{header}.{segment(claims)}.{signature}")


async def test_token_signed_by_a_retired_and_pruned_key_is_refused(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    old_token = issue()
    long_ago = int(time.time()) - 10_000
    tokens.rotate(keyring.directory, access_ttl=3600, now=long_ago)
    assert tokens.prune(keyring.directory) == [keyring.active_kid]
    fresh = make_verifier(JwksCache.from_keyring(KeyRing.load(keyring.directory)))
    await assert_refused(fresh, old_token)


async def test_token_of_a_retired_key_past_its_window_is_refused_even_before_pruning(
    keyring: KeyRing, issue: Callable[..., str], make_verifier: Callable[..., AccessTokenVerifier]
) -> None:
    old_token = issue()
    tokens.rotate(keyring.directory, access_ttl=3600, now=int(time.time()) - 10_000)
    fresh = make_verifier(JwksCache.from_keyring(KeyRing.load(keyring.directory)))
    await assert_refused(fresh, old_token)
