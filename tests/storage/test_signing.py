"""The local store's signed URLs: bound to method, key, expiry, size, type and filename."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from sp404.storage import InvalidSignature, SignedGrant, verify_presigned
from sp404.storage.signing import signed_query

SECRET = b"k" * 32
KEY = "users/u/samples/s"
PUT = SignedGrant("PUT", KEY, 2_000, max_bytes=1000, content_type="audio/wav")


def query_of(grant: SignedGrant, secret: bytes = SECRET) -> dict[str, str]:
    return dict(parse_qsl(signed_query(secret, grant)))


def test_a_valid_put_signature_yields_its_grant() -> None:
    grant = verify_presigned(SECRET, method="PUT", key=KEY, query=query_of(PUT), now=1_000)
    assert grant == PUT


def test_the_url_is_good_until_its_expiry_second() -> None:
    verify_presigned(SECRET, method="PUT", key=KEY, query=query_of(PUT), now=2_000)
    with pytest.raises(InvalidSignature):
        verify_presigned(SECRET, method="PUT", key=KEY, query=query_of(PUT), now=2_001)


@pytest.mark.parametrize(
    ("field", "value"),
    [("max", "1000000"), ("type", "text/html"), ("expires", "9999999999"), ("sig", "0" * 64)],
)
def test_changing_any_signed_field_breaks_the_signature(field: str, value: str) -> None:
    query = {**query_of(PUT), field: value}
    with pytest.raises(InvalidSignature):
        verify_presigned(SECRET, method="PUT", key=KEY, query=query, now=1_000)


def test_a_signature_is_bound_to_its_method_key_and_secret() -> None:
    query = query_of(PUT)
    with pytest.raises(InvalidSignature):
        verify_presigned(SECRET, method="GET", key=KEY, query=query, now=1_000)
    with pytest.raises(InvalidSignature):
        verify_presigned(SECRET, method="PUT", key=KEY + "x", query=query, now=1_000)
    with pytest.raises(InvalidSignature):
        verify_presigned(b"o" * 32, method="PUT", key=KEY, query=query, now=1_000)


def test_a_get_grant_carries_its_filename() -> None:
    get = SignedGrant("GET", KEY, 2_000, filename="kit.zip")
    grant = verify_presigned(SECRET, method="GET", key=KEY, query=query_of(get), now=1_000)
    assert grant.filename == "kit.zip"


@pytest.mark.parametrize(
    "query", [{}, {"expires": "2000"}, {"sig": "ab"}, {"expires": "-1", "sig": "ab"}]
)
def test_missing_or_malformed_parameters_are_refused(query: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature):
        verify_presigned(SECRET, method="GET", key=KEY, query=query, now=1_000)


def test_a_put_grant_without_a_size_limit_is_refused() -> None:
    unlimited = SignedGrant("PUT", KEY, 2_000)
    with pytest.raises(InvalidSignature):
        verify_presigned(SECRET, method="PUT", key=KEY, query=query_of(unlimited), now=1_000)
