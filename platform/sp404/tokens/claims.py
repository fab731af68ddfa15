"""The verified content of an access token, as handlers and the revocation check see it."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Claims:
    """Claims of a verified access token; `raw` is the whole payload, read-only.

    `scopes` is None for the web app's session tokens (they may do anything their user may) and
    the granted scopes for a personal access token (see `tokens.personal`).
    """

    user_id: str
    email: str
    tier: str
    verified: bool
    jti: str
    exp: int
    iat: int
    sid: str | None
    raw: Mapping[str, Any]
    scopes: frozenset[str] | None = None

    @property
    def personal(self) -> bool:
        """Whether this request came with a personal access token rather than a session."""
        return self.scopes is not None
