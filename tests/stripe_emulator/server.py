"""``EmulatorServer``: the Stripe API emulator on 127.0.0.1 in a background thread."""

from __future__ import annotations

import html
import json
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlsplit

from . import routes, timeline
from .errors import StripeError
from .forms import parse_form
from .state import API_VERSION, Clock, EmulatorState, FinalFailure, Settings, StripeObject
from .state import random_token as _token
from .webhooks import Deliverer, Delivery, WebhookEndpoint, event_body, post, sign_payload

if TYPE_CHECKING:
    import stripe

Response = tuple[int, StripeObject, dict[str, str]]
_STORED_STATUSES = (200, 402)  # Stripe saves results once the endpoint ran, errors included


class Emulator:
    """Request handling shared by the HTTP front: auth, idempotency, dispatch, errors."""

    def __init__(self, state: EmulatorState, deliverer: Deliverer) -> None:
        self.state = state
        self.deliverer = deliverer
        self._idempotency: dict[str, tuple[str, int, StripeObject]] = {}

    def handle(self, method: str, path: str, query: str, body: str, headers: Any) -> Response:
        """Answer one API request with a status, a JSON document and extra headers."""
        request_id = f"req_{_token(14)}"
        # The emulator implements one API version and says so on every answer, whatever the
        # request asked for: a client pinned to another version sees the difference.
        extra = {"Request-Id": request_id, "Stripe-Version": API_VERSION}
        try:
            if path.startswith("/v1/"):
                _check_key(headers.get("Authorization", ""))
            params = self._params(method, query, body, headers)
        except StripeError as error:
            return error.status, error.body(), extra | {"Stripe-Should-Retry": "false"}
        key = headers.get("Idempotency-Key") if method == "POST" else None
        fingerprint = json.dumps([method, path, sorted(parse_qsl(body or query))])
        with self.state.lock:
            if path.startswith("/v1/"):
                self.state.requests.append(
                    (method, path, headers.get("Idempotency-Key"), headers.get("Stripe-Version"))
                )
            if key is not None and key in self._idempotency:
                stored_print, status, payload = self._idempotency[key]
                if stored_print != fingerprint:
                    mismatch = StripeError.idempotency(key)
                    return (
                        mismatch.status,
                        mismatch.body(),
                        extra | {"Stripe-Should-Retry": "false"},
                    )
                return (
                    status,
                    payload,
                    extra | {"Idempotent-Replayed": "true", "Idempotency-Key": key},
                )
            self.state.request_context = {"request_id": request_id, "idempotency_key": key}
            try:
                status, payload = 200, self.run(method, path, params)
            except StripeError as error:
                status, payload = error.status, error.body()
            except Exception:  # a bug in the emulator: say so in Stripe's shape, keep serving
                traceback.print_exc(file=sys.stderr)
                status, payload = 500, {"error": {"type": "api_error", "message": "Emulator bug"}}
            finally:
                self.state.request_context = {}
            if key is not None and status in _STORED_STATUSES:
                self._idempotency[key] = (fingerprint, status, payload)
        if key is not None:
            extra["Idempotency-Key"] = key
        if status != 200:
            extra["Stripe-Should-Retry"] = "false"
        return status, payload, extra

    def run(self, method: str, path: str, params: dict[str, Any]) -> StripeObject:
        """Dispatch to the route handler (callers hold the state lock)."""
        return routes.dispatch(method, path, routes.Context(self.state, self.deliverer, params))

    @staticmethod
    def _params(method: str, query: str, body: str, headers: Any) -> dict[str, Any]:
        if "application/json" in (headers.get("Content-Type") or "") and body:
            try:
                loaded: dict[str, Any] = json.loads(body)
            except ValueError:
                raise StripeError.invalid("Invalid JSON body.") from None
            return {key: _stringify(value) for key, value in loaded.items()}
        return parse_form(body if method == "POST" else query)


def _stringify(value: Any) -> Any:
    # JSON control calls carry numbers and booleans; form-encoded ones carry strings.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _check_key(authorization: str) -> None:
    token = authorization.removeprefix("Bearer ").strip()
    if not token:
        raise StripeError.authentication(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
        )
    if not token.startswith(("sk_test_", "rk_test_")):
        raise StripeError.authentication(
            "Invalid API Key provided: the emulator only accepts test-mode keys (sk_test_...)."
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; without TCP_NODELAY each response waits ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: pytest shows failures, not every request."""

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        if method == "GET" and not url.path.startswith(("/v1/", "/_emulator/")):
            self._page(url.path)
            return
        status, payload, extra = self.server.emulator.handle(
            method, url.path, url.query, body, self.headers
        )
        self._send(status, json.dumps(payload, indent=2).encode(), "application/json", extra)

    def _page(self, path: str) -> None:
        # Hosted invoice pages, PDFs and portal sessions: enough for a link-following test.
        state = self.server.emulator.state
        parts = path.strip("/").split("/")
        with state.lock:
            target = state.objects.get(parts[-2] if parts[-1] == "pdf" else parts[-1])
            title = (
                html.escape(
                    json.dumps(
                        {
                            k: target.get(k)
                            for k in ("id", "number", "amount_due", "customer", "status")
                        }
                    )
                )
                if target
                else None
            )
        if target is None or parts[0] not in ("invoice", "p"):
            self._send(404, b"Not found", "text/plain", {})
        elif parts[-1] == "pdf":
            self._send(
                200,
                b"%PDF-1.4\n% emulated invoice " + target["id"].encode() + b"\n%%EOF\n",
                "application/pdf",
                {},
            )
        else:
            page = f"<!doctype html><title>Emulated Stripe page</title><pre>{title}</pre>"
            self._send(200, page.encode(), "text/html; charset=utf-8", {})

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator


class EmulatorServer:
    """A stateful fake of Stripe's API for tests, driven through the real ``stripe`` SDK.

    Use as a context manager; point the SDK at ``url``; move time with ``advance``.
    """

    def __init__(
        self,
        *,
        start_time: int | None = None,
        retry_days: tuple[int, ...] = (3, 5, 7),
        after_final_failure: FinalFailure = "cancel",
    ) -> None:
        settings = Settings(retry_days=retry_days, after_final_failure=after_final_failure)
        self.state = EmulatorState(clock=Clock(start_time), settings=settings)
        self._deliverer: Deliverer | None = None
        self._http: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        self._deliverer = Deliverer()
        self.state.on_event.append(self._deliverer.enqueue)
        self._http = _Server(("127.0.0.1", 0), _Handler)
        self._http.emulator = Emulator(self.state, self._deliverer)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.state.base_url = self.url
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and let pending webhook deliveries finish."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._deliverer is not None:
            self._deliverer.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def client(
        self, api_key: str = "sk_test_emulator", http_client: stripe.HTTPClient | None = None
    ) -> stripe.StripeClient:
        """Return a real ``stripe.StripeClient`` for this emulator, without retries.

        Async calls go through aiohttp: the SDK's default httpx client passes ``data=`` and
        trips httpx's DeprecationWarning, which ``filterwarnings = error`` turns into a failure.
        """
        import stripe

        http = http_client or stripe.RequestsClient(async_fallback_client=stripe.AIOHTTPClient())
        return stripe.StripeClient(
            api_key, base_addresses={"api": self.url}, max_network_retries=0, http_client=http
        )

    # time and money ----------------------------------------------------------------------

    def now(self) -> int:
        """Return the emulator's current Unix time."""
        return self.state.now()

    def advance(self, seconds: int) -> int:
        """Move the clock forward, running every renewal, trial end and retry on the way."""
        with self.state.lock:
            return timeline.advance_to(self.state, self.state.now() + seconds)

    def advance_to(self, moment: int) -> int:
        """Move the clock to ``moment`` (Unix time), running every transition due on the way."""
        with self.state.lock:
            return timeline.advance_to(self.state, moment)

    def fail_payments(self, customer: str, outcome: str = "decline") -> None:
        """Make every charge for ``customer`` end with ``outcome`` until restored."""
        with self.state.lock:
            routes.set_payment_outcome(self.state, customer, outcome)

    def restore_payments(self, customer: str) -> None:
        """Let the customer's payment methods decide charges again."""
        with self.state.lock:
            routes.set_payment_outcome(self.state, customer, None)

    def confirm_payment(self, intent_id: str, payment_method: str | None = None) -> StripeObject:
        """Act as the customer in the browser: pay or authenticate a payment/setup intent."""
        return self._call("POST", "/_emulator/confirm_payment", {
            "payment_intent": intent_id, "payment_method": payment_method,
        })  # fmt: skip

    def _call(self, method: str, path: str, params: dict[str, Any]) -> StripeObject:
        with self.state.lock:
            assert self._http is not None, "start the emulator first"
            clean = {k: v for k, v in params.items() if v is not None}
            return self._http.emulator.run(method, path, clean)

    # webhooks ----------------------------------------------------------------------------

    def add_webhook_endpoint(
        self,
        url: str,
        events: tuple[str, ...] = ("*",),
        extra_headers: Callable[[str, str], dict[str, str]] | None = None,
    ) -> WebhookEndpoint:
        """Deliver future events of ``events`` types to ``url``, signed with a fresh secret."""
        assert self._deliverer is not None, "start the emulator first"
        endpoint = WebhookEndpoint(url=url, enabled_events=events, extra_headers=extra_headers)
        self._deliverer.endpoints.append(endpoint)
        return endpoint

    def wait_for_webhooks(self) -> list[Delivery]:
        """Wait until every queued delivery was attempted; return all deliveries so far."""
        assert self._deliverer is not None, "start the emulator first"
        self._deliverer.wait()
        return list(self._deliverer.deliveries)

    def events(self, event_type: str | None = None) -> list[StripeObject]:
        """Return recorded events, oldest first, optionally of one type."""
        with self.state.lock:
            return [e for e in self.state.events if event_type in (None, e["type"])]

    def deliver(
        self,
        event: StripeObject,
        endpoint: WebhookEndpoint,
        *,
        timestamp: int | None = None,
        body: bytes | None = None,
    ) -> Delivery:
        """Deliver ``event`` again now (duplicates, reordering, stale ``timestamp``, odd bodies)."""
        return post(endpoint, event, timestamp=timestamp, body=body)

    @staticmethod
    def signed(
        event: StripeObject, secret: str, *, timestamp: int | None = None
    ) -> tuple[bytes, str]:
        """Return the body and ``Stripe-Signature`` Stripe would send, for in-process handlers."""
        body = event_body(event)
        return body, sign_payload(body, secret, timestamp)
