"""What a personal access token may reach: one table, read by the gateway and every service.

A personal token is for scripting the library (sync a folder, tag in bulk, pull kits into a DAW).
It can never manage tokens, change the password, e-mail or billing, or delete the account: those
routes are simply absent from the table, so a route added later is closed to tokens until it is
listed here on purpose.
"""

from __future__ import annotations

from sp404.core.errors import Forbidden
from sp404.tokens.claims import Claims

LIBRARY_READ = "library:read"
LIBRARY_WRITE = "library:write"
KITS_WRITE = "kits:write"
SCOPES: tuple[str, ...] = (LIBRARY_READ, LIBRARY_WRITE, KITS_WRITE)

_LIBRARY = ("/api/samples", "/api/jobs", "/api/collections", "/api/search", "/api/kits")
# Kits and their exports (IMPORT packs, projects) change under kits:write.
_KITS = ("/api/kits", "/api/exports")
_READ_METHODS = frozenset({"GET", "HEAD"})
# Who am I, for a script that wants to check which account its token belongs to.
_ANY_SCOPE: frozenset[tuple[str, str]] = frozenset({("GET", "/api/account/profile")})


class TokenNotAllowed(Forbidden):
    """A personal access token was used on a route only the signed-in web app may use."""

    code = "token_not_allowed"


class InsufficientScope(Forbidden):
    """The personal access token lacks the scope this request needs."""

    code = "insufficient_scope"


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def required_scope(method: str, path: str) -> str | None:
    """The scope a personal token needs for this request; "" for any; None when no token may."""
    method = method.upper()
    if (method, path) in _ANY_SCOPE:
        return ""
    if not _under(path, _LIBRARY + _KITS):
        return None
    if method in _READ_METHODS:
        return LIBRARY_READ
    return KITS_WRITE if _under(path, _KITS) else LIBRARY_WRITE


def enforce_scope(claims: Claims, method: str, path: str) -> None:
    """Refuse a personal token outside its scopes (403); a session passes untouched."""
    if claims.scopes is None:
        return
    needed = required_scope(method, path)
    if needed is None:
        raise TokenNotAllowed(
            "Personal access tokens cannot do this; sign in to the web app instead."
        )
    if needed and needed not in claims.scopes:
        raise InsufficientScope(f"This personal access token lacks the {needed} scope.")
