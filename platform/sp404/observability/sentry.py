"""Sentry error reporting, switched on by `SP404_SENTRY_DSN`, with secrets scrubbed before send."""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk

from sp404.core.settings import ObservabilitySection

FILTERED = "[Filtered]"
# Keys whose values never leave the process: credentials, session material, card data.
_SENSITIVE_KEY = re.compile(
    r"(authorization|cookie|password|passwd|secret|token|api[-_]?key|credential|session"
    r"|signature|csrf|card|cvc|dsn)",
    re.IGNORECASE,
)
# Values that look like credentials whatever their key: bearer tokens and JWTs.
_SENSITIVE_VALUE = re.compile(
    r"(bearer\s+\S+|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)", re.IGNORECASE
)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and _SENSITIVE_KEY.search(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        # Headers often arrive as [name, value] pairs rather than a mapping.
        if (
            len(value) == 2
            and isinstance(value[0], str)
            and _SENSITIVE_KEY.search(value[0]) is not None
        ):
            return [value[0], FILTERED]
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return _SENSITIVE_VALUE.sub(FILTERED, value)
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event with credentials, cookies, passwords and tokens replaced by "[Filtered]"."""
    scrubbed: dict[str, Any] = _scrub(event)
    request = scrubbed.get("request")
    if isinstance(request, dict):
        # Cookies and raw bodies are never needed to debug, and a body can hold a password.
        request.pop("cookies", None)
        if isinstance(request.get("data"), str | bytes):
            request["data"] = FILTERED
        query = request.get("query_string")
        if isinstance(query, str) and _SENSITIVE_KEY.search(query):
            request["query_string"] = FILTERED
    return scrubbed


def init_sentry(settings: ObservabilitySection, service: str) -> bool:
    """Start Sentry for this process when a DSN is set; returns whether it did."""
    dsn = settings.sentry_dsn.get_secret_value() if settings.sentry_dsn else ""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=settings.environment,
        server_name=service,
        send_default_pii=False,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
    )
    sentry_sdk.set_tag("service", service)
    return True
