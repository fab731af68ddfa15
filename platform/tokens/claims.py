"""The verified content of an access token, as handlers and the revocation check see it."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Claims:
    """Claims of a verified access token; `raw` is the whole payload, read-only."""

    user_id: str
    email: str
    tier: str
    verified: bool
    jti: str
    exp: int
    iat: int
    sid: str | None
    raw: Mapping[str, Any]
