"""Sentry starts only with a DSN, and nothing it sends carries a credential."""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sp404.core.settings import REPO_ROOT, Settings
from sp404.observability import init_sentry, scrub_event
from sp404.observability.sentry import FILTERED

SECRETS = ["hunter2-secret", "s3ss10n-cookie", "abc123refresh", "sk_live_stripe_key"]
BEARER = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_scrubbing_replaces_headers_cookies_passwords_and_tokens() -> None:
    event: dict[str, Any] = {
        "message": "checkout failed",
        "request": {
            "url": "http://engine/api/samples",
            "headers": {"Authorization": f"Bearer {BEARER}", "User-Agent": "curl"},
            "cookies": {"session": "s3ss10n-cookie"},
            "data": {"email": "dee@example.com", "password": "hunter2-secret"},
            "query_string": "token=abc123refresh",
        },
        "extra": {"refresh_token": "abc123refresh", "note": f"used Bearer {BEARER}"},
        "breadcrumbs": {"values": [{"data": {"stripe_secret_key": "sk_live_stripe_key"}}]},
    }
    scrubbed = scrub_event(event)
    text = repr(scrubbed)
    assert not [s for s in [*SECRETS, BEARER] if s in text]
    request = scrubbed["request"]
    assert request["headers"] == {"Authorization": FILTERED, "User-Agent": "curl"}
    assert "cookies" not in request
    assert request["data"] == {"email": "dee@example.com", "password": FILTERED}
    assert scrubbed["message"] == "checkout failed"


def test_headers_given_as_pairs_are_scrubbed_too() -> None:
    event = {"request": {"headers": [["Cookie", "a=s3ss10n-cookie"], ["Accept", "*/*"]]}}
    assert scrub_event(event)["request"]["headers"] == [["Cookie", FILTERED], ["Accept", "*/*"]]


@pytest.mark.parametrize("dsn", [None, ""])
def test_without_a_dsn_sentry_stays_off(dsn: str | None) -> None:
    assert init_sentry(Settings(sentry_dsn=dsn), "platform") is False


class _Ingest(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sentry_ingest() -> Iterator[tuple[str, list[bytes]]]:
    """A local stand-in for Sentry's ingest endpoint; yields a DSN and what it received."""
    received: list[bytes] = []
    handler = type("Ingest", (_Ingest,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1", received
    server.shutdown()
    server.server_close()


# A service process's view: Sentry started as `sp404 serve` does, then a request that crashes
# with credentials in its headers, cookies and body.
CRASHING_SERVICE = textwrap.dedent(
    f"""
    import asyncio, sys
    import httpx, sentry_sdk
    from fastapi import FastAPI, Request
    from sp404.observability import init_sentry
    from sp404.core.settings import Settings

    assert init_sentry(Settings(sentry_dsn=sys.argv[1]), "platform")
    app = FastAPI()

    @app.post("/api/auth/login")
    async def login(request: Request) -> None:
        await request.json()
        raise RuntimeError("login crashed")

    async def main() -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://platform") as client:
            await client.post(
                "/api/auth/login",
                json={{"email": "dee@example.com", "password": "hunter2-secret"}},
                headers={{"Authorization": "Bearer {BEARER}",
                         "Cookie": "session=s3ss10n-cookie"}},
            )
        with sentry_sdk.new_scope() as scope:
            scope.set_extra("refresh_token", "abc123refresh")
            scope.set_extra("settings", {{"stripe_secret_key": "sk_live_stripe_key"}})
            sentry_sdk.capture_message("billing sync failed")

    asyncio.run(main())
    sentry_sdk.flush(timeout=5)
    """
)


def test_events_sent_to_sentry_carry_no_credentials(
    sentry_ingest: tuple[str, list[bytes]],
) -> None:
    dsn, received = sentry_ingest
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_SERVICE, dsn],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sent = b"\n".join(received).decode("utf-8", "replace")
    assert "login crashed" in sent and "billing sync failed" in sent
    assert not [s for s in [*SECRETS, BEARER] if s in sent]
    assert FILTERED in sent
