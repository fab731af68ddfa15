"""Blob keys: built only by our code, validated on every store call."""

from __future__ import annotations

import re
from uuid import UUID

from sp404.storage.errors import InvalidKey

MAX_KEY_LENGTH = 512
# The folder, inside a user's, that direct uploads are written to before they are checked.
STAGING = "staging"

# A segment starting with "." is refused as well as "." and "..": the local store keeps its
# temporary files, content-type sidecars and signing secret under such names, so no key may
# ever address them.
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def validate_key(key: str) -> str:
    """Return `key` unchanged, or raise InvalidKey if it is not `seg/seg/...` of safe segments."""
    if not isinstance(key, str) or not key:
        raise InvalidKey("A blob key must be a non-empty string.")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"A blob key must be at most {MAX_KEY_LENGTH} characters.")
    for segment in key.split("/"):
        if not _SEGMENT.fullmatch(segment):
            raise InvalidKey(
                "A blob key is '/'-separated segments of letters, digits, '.', '_' and '-',"
                " none empty and none starting with '.'."
            )
    return key


def validate_prefix(prefix: str) -> str:
    """A folder-like prefix (trailing '/' optional) as `seg/seg/`, validated like a key."""
    return validate_key(prefix.removesuffix("/")) + "/"


def user_key(user_id: UUID, *parts: str) -> str:
    """The key `users/{user_id}/part/...` for parts our code chose (uuids, fixed words)."""
    if not isinstance(user_id, UUID):
        raise InvalidKey("user_id must be a UUID.")
    return validate_key("/".join(("users", str(user_id), *parts)))


def staging_key(user_id: UUID, upload_id: UUID) -> str:
    """Where a direct upload's bytes land until it is completed: `users/{id}/staging/{upload}`."""
    return user_key(user_id, STAGING, str(upload_id))


def parse_staging_key(key: str) -> tuple[UUID, UUID] | None:
    """The (user id, upload id) a staging key names, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "users" or parts[2] != STAGING:
        return None
    try:
        user_id, upload_id = UUID(parts[1]), UUID(parts[3])
    except ValueError:
        return None
    # Only the canonical spelling: one upload must never be reachable under two keys.
    if staging_key(user_id, upload_id) != key:
        return None
    return user_id, upload_id
