"""The Stripe SDK client built from settings, and how its answers and errors reach our code."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import stripe

from sp404.billing.errors import (
    BillingNotConfigured,
    PaymentProviderUnavailable,
    PaymentRequired,
    RetryConflict,
    TaxLocationRequired,
)
from sp404.core.errors import Conflict
from sp404.core.settings import StripeSection

log = logging.getLogger("billing.stripe")
# The Stripe API version every request asks for, whatever the account's default: the one the
# pinned SDK major (pyproject.toml) is generated for. Objects and events are read in this shape;
# tests/billing/test_api_version.py fails when the SDK, this and the emulator disagree.
STRIPE_API_VERSION = "2026-10-28.endive"
_NONCE = re.compile(r"[^A-Za-z0-9_.-]")


class StripeConnection:
    """The SDK client and the HTTP client under it, which must be closed at shutdown."""

    def __init__(self, settings: StripeSection, api_key: str) -> None:
        # The SDK's default async client (httpx) raises a DeprecationWarning; aiohttp does not.
        self._http = stripe.RequestsClient(async_fallback_client=stripe.AIOHTTPClient())
        base: Any = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
        self.client = stripe.StripeClient(
            api_key,
            base_addresses=base,
            max_network_retries=2,
            http_client=self._http,
            stripe_version=STRIPE_API_VERSION,
        )

    async def aclose(self) -> None:
        """Close the HTTP sessions."""
        await self._http.close_async()  # type: ignore[no-untyped-call]
        self._http.close()  # type: ignore[no-untyped-call]


def connect_stripe(settings: StripeSection) -> StripeConnection | None:
    """A connection to the configured Stripe account, or None when no secret key is set."""
    if settings.stripe_secret_key is None:
        return None
    return StripeConnection(settings, settings.stripe_secret_key.get_secret_value())


def require_client(connection: StripeConnection | None) -> stripe.StripeClient:
    """The SDK client, or 503 when paid plans are not configured."""
    if connection is None:
        raise BillingNotConfigured()
    return connection.client


def idempotency_key(user_id: uuid.UUID, action: str, nonce: str) -> stripe.RequestOptions:
    """Request options whose key makes a retried client request replay, not repeat, at Stripe."""
    clean = _NONCE.sub("", nonce)[:64] or "none"
    return {"idempotency_key": f"sp404:{user_id}:{action}:{clean}"}


def as_dict(obj: Any) -> dict[str, Any]:
    """A Stripe object (or a webhook's plain JSON) as nested plain dicts and lists."""
    if isinstance(obj, stripe.StripeObject):
        result: dict[str, Any] = obj.to_dict()
        return result
    return dict(obj)


@contextmanager
def stripe_errors() -> Iterator[None]:
    """Turn Stripe SDK errors into our error shape; a Stripe outage becomes a clear 503."""
    try:
        yield
    except stripe.CardError as exc:
        raise PaymentRequired(exc.user_message or None) from exc
    except stripe.IdempotencyError as exc:
        raise RetryConflict() from exc
    except stripe.InvalidRequestError as exc:
        if exc.code == "customer_tax_location_invalid":
            raise TaxLocationRequired() from exc
        log.warning("stripe refused a request", extra={"stripe_message": exc.user_message})
        raise Conflict(exc.user_message or "The payment provider refused this change.") from exc
    except stripe.StripeError as exc:
        log.error("stripe unavailable", extra={"error": type(exc).__name__})
        raise PaymentProviderUnavailable() from exc
