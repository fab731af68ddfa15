"""Signed webhook delivery with Stripe's ``Stripe-Signature: t=...,v1=...`` scheme."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .state import StripeObject, random_token

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def sign_payload(payload: str | bytes, secret: str, timestamp: int | None = None) -> str:
    """Return the ``Stripe-Signature`` header value for ``payload`` signed with ``secret``."""
    body = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def event_body(event: StripeObject) -> bytes:
    """Serialise an event the way Stripe sends it (pretty-printed JSON)."""
    return json.dumps(event, indent=2).encode()


@dataclass
class WebhookEndpoint:
    """A registered receiver: its URL, signing secret and the event types it wants."""

    url: str
    secret: str = field(default_factory=lambda: f"whsec_{random_token(32)}")
    enabled_events: tuple[str, ...] = ("*",)
    id: str = field(default_factory=lambda: f"we_{random_token(24)}")
    # Headers the network in front of the receiver adds (method, path) -> headers; e.g. our
    # gateway's signature when a test delivers straight to the platform.
    extra_headers: Callable[[str, str], dict[str, str]] | None = None

    def wants(self, event_type: str) -> bool:
        """Say whether this endpoint subscribes to ``event_type``."""
        return "*" in self.enabled_events or event_type in self.enabled_events

    def as_stripe_object(self, created: int, *, with_secret: bool) -> StripeObject:
        """Return the endpoint as Stripe's ``webhook_endpoint`` object."""
        obj: StripeObject = {
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": None,
            "created": created,
            "enabled_events": list(self.enabled_events),
            "livemode": False,
            "metadata": {},
            "status": "enabled",
            "url": self.url,
        }
        if with_secret:
            obj["secret"] = self.secret
        return obj


@dataclass
class Delivery:
    """One attempt to deliver an event: where, when signed, and how the receiver answered."""

    event_id: str
    event_type: str
    url: str
    timestamp: int
    status: int | None
    error: str | None = None


def post(
    endpoint: WebhookEndpoint,
    event: StripeObject,
    *,
    timestamp: int | None = None,
    body: bytes | None = None,
    signature: str | None = None,
) -> Delivery:
    """POST one event to an endpoint now and record the answer (any overrides are for tests)."""
    moment = int(time.time()) if timestamp is None else timestamp
    payload = event_body(event) if body is None else body
    header = signature or sign_payload(payload, endpoint.secret, moment)
    path = urlsplit(endpoint.url).path
    extra = endpoint.extra_headers("POST", path) if endpoint.extra_headers else {}
    request = urllib.request.Request(
        endpoint.url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": header,
            "User-Agent": USER_AGENT,
            **extra,
        },
    )
    delivery = Delivery(event["id"], event["type"], endpoint.url, moment, None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            delivery.status = response.status
    except urllib.error.HTTPError as exc:
        delivery.status = exc.code
    except OSError as exc:
        delivery.error = str(exc)
    return delivery


class Deliverer:
    """Delivers events in the background, in order, so the API call never waits on a receiver."""

    def __init__(self) -> None:
        self.endpoints: list[WebhookEndpoint] = []
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[tuple[WebhookEndpoint, StripeObject] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self._thread.start()

    def enqueue(self, event: StripeObject) -> None:
        """Queue ``event`` for every endpoint that wants its type."""
        for endpoint in list(self.endpoints):
            if endpoint.wants(event["type"]):
                self._queue.put((endpoint, event))

    def wait(self) -> None:
        """Block until every queued delivery has been attempted."""
        self._queue.join()

    def close(self) -> None:
        """Stop the delivery thread after the queue drains."""
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                endpoint, event = item
                self.deliveries.append(post(endpoint, event))
            finally:
                self._queue.task_done()


def parse_signature(header: str) -> dict[str, Any]:
    """Split a ``Stripe-Signature`` header into its timestamp and v1 signatures."""
    parts = [piece.split("=", 1) for piece in header.split(",") if "=" in piece]
    return {
        "t": int(next(value for key, value in parts if key == "t")),
        "v1": [value for key, value in parts if key == "v1"],
    }
