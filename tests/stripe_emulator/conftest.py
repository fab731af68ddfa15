"""Fixtures: a running emulator, a real SDK client for it, a price catalog, a webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from .server import EmulatorServer


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def api(emulator: EmulatorServer) -> Any:
    """The real SDK's ``client.v1`` services, untyped so tests read fields Stripe sends."""
    return emulator.client().v1


@dataclass
class Plans:
    basic: Any
    pro: Any
    yearly: Any


@pytest.fixture
def plans(api: Any) -> Plans:
    return make_plans(api)


def make_plans(api: Any) -> Plans:
    """Create a product with basic and pro monthly prices and a yearly pro price."""
    product = api.products.create(params={"name": "Sample Cloud"})

    def price(amount: int, key: str, interval: str = "month") -> Any:
        return api.prices.create(
            params={
                "product": product.id,
                "currency": "usd",
                "unit_amount": amount,
                "recurring": {"interval": interval},
                "lookup_key": key,
            }
        )

    return Plans(
        basic=price(500, "basic_monthly"),
        pro=price(1500, "pro_monthly"),
        yearly=price(15000, "pro_yearly", "year"),
    )


@dataclass
class Received:
    """Webhook requests a local receiver got: (Stripe-Signature header, raw body)."""

    requests: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append((self.headers["Stripe-Signature"], body))
            self.send_response(received.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def client_factory() -> Iterator[Any]:
    """Start emulators with non-default settings; each is stopped after the test."""
    started: list[EmulatorServer] = []

    def start(**settings: Any) -> tuple[EmulatorServer, stripe.StripeClient]:
        server = EmulatorServer(**settings).start()
        started.append(server)
        return server, server.client()

    yield start
    for server in started:
        server.stop()
