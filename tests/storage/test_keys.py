"""Keys are built by our code and anything else is refused before it nears a filesystem."""

from __future__ import annotations

import uuid

import pytest

from sp404.storage import InvalidKey, parse_staging_key, staging_key, user_key, validate_key


def test_user_key_puts_the_blob_under_the_users_folder() -> None:
    user = uuid.UUID("12345678-1234-5678-1234-567812345678")
    sample = uuid.UUID("87654321-4321-8765-4321-876543218765")
    assert (
        user_key(user, "samples", str(sample))
        == "users/12345678-1234-5678-1234-567812345678/samples/87654321-4321-8765-4321-876543218765"
    )
    assert user_key(user, "avatar") == f"users/{user}/avatar"


def test_user_key_refuses_a_user_id_that_is_not_a_uuid() -> None:
    with pytest.raises(InvalidKey):
        user_key("../../etc", "avatar")  # type: ignore[arg-type]


def test_user_key_refuses_parts_that_would_escape() -> None:
    with pytest.raises(InvalidKey):
        user_key(uuid.uuid4(), "..", "..", "etc")
    with pytest.raises(InvalidKey):
        user_key(uuid.uuid4(), "samples/../../x")


@pytest.mark.parametrize(
    "key",
    ["users/x/samples/kick.wav", "a", "exports/2024-01-01_kit.v2.zip", "A-Z_0.9/x", "a" * 512],
)
def test_plain_keys_are_accepted_unchanged(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("../x", "parent segment"),
        ("users/../../etc", "parent segments inside"),
        ("users/./x", "current-directory segment"),
        ("/etc/passwd", "absolute"),
        ("users\\..\\x", "backslash"),
        ("users/x\0", "NUL"),
        ("users//x", "empty segment"),
        ("users/x/", "trailing slash"),
        ("", "empty"),
        ("users/.hidden", "hidden segment"),
        ("users/%2e%2e/x", "percent-encoding"),
        ("users/x\ny", "newline"),
        ("users/émile", "non-ASCII"),
        ("users/x:y", "colon"),
        ("a" * 513, "too long"),
    ],
)
def test_hostile_keys_are_refused(key: str, why: str) -> None:
    with pytest.raises(InvalidKey):
        validate_key(key)


def test_staging_keys_round_trip_and_nothing_else_parses_as_one() -> None:
    user, upload = uuid.uuid4(), uuid.uuid4()
    key = staging_key(user, upload)
    assert key == f"users/{user}/staging/{upload}"
    assert parse_staging_key(key) == (user, upload)
    for other in [
        user_key(user, "samples", str(upload)),
        f"users/{user}/staging/{upload}/x",
        f"users/{user}/staging/not-a-uuid",
        f"users/{user}/staging/{str(upload).upper()}",
        f"users/{user}/staging/{upload.hex}",
    ]:
        assert parse_staging_key(other) is None
