"""The OpenAPI documents say which credential each operation takes and which scope it needs.

The authentication dependencies declare the `session` bearer scheme (FastAPI then marks every
operation that depends on them); this adds the personal-token scheme to the operations a personal
token may reach, with the scope it needs, read from the same table the services enforce. A client
generated from the document learns what will be refused.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.security import HTTPBearer

from sp404.tokens.scopes import SCOPES, required_scope

# The web app's credential; `auto_error=False` so a missing one is our own 401, not FastAPI's 403.
SESSION_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="session",
    bearerFormat="JWT",
    description="The web app's access token (1 h, renewed with the refresh cookie), or a "
    "personal access token where the operation lists `personalToken`. Sessions are limited to "
    "100 requests a minute and by the resource quotas, never by the daily count.",
)

PERSONAL_TOKEN_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "sp404_pat_…",
    "description": "A personal access token for scripts, created on the account page. Counts "
    "against the plan's API calls per day (Free 100, Pro 10,000, Enterprise unlimited) as well "
    "as the 100 a minute. Scopes: " + ", ".join(SCOPES) + ".",
}


def describe_personal_tokens(app: FastAPI) -> None:
    """Make `app.openapi()` offer personal tokens, with their scope, where services take them."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["personalToken"] = PERSONAL_TOKEN_SCHEME
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict) or "security" not in operation:
                    continue
                scope = required_scope(method, path)
                operation["x-personal-token-scope"] = scope
                if scope is not None:
                    operation["security"].append({"personalToken": [scope] if scope else []})
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
