"""Forwarding one request to an upstream instance, streaming the body both ways.

The request body flows from ASGI `receive` straight into aiohttp as an async generator and the
response flows back chunk by chunk, so an upload of any size holds only a few chunks in memory,
with back-pressure both ways. A connection failure is retried, on another instance when there is
one, only for idempotent methods, only while no body byte has left, and only while the retry
budget allows; a fresh `AsyncRetrying` per request, built only once a retry is needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

import aiohttp
from multidict import CIMultiDict
from starlette.types import Receive, Scope, Send
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from yarl import URL

from gateway.breaker import BreakerOpen, NotUpstreamsFault
from gateway.errors import BadGateway, GatewayTimeout, UpstreamUnavailable
from gateway.headers import downstream_response_headers
from gateway.routing import Route, TimeoutClass
from gateway.upstreams import Instance, RetryBudget, UpstreamPool
from sp404.core.errors import PayloadTooLarge

log = logging.getLogger("gateway.proxy")

_SMALL_BODY = 64 * 1024
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_BODYLESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


class BodyTooLarge(NotUpstreamsFault):
    """The client sent more than the route allows."""


class ClientGone(NotUpstreamsFault):
    """The client disconnected before its request was sent on."""


class _ConnectFailed(Exception):
    """No connection to the instance (refused, connect timeout, breaker open): nothing was sent."""


class _FailedStatus(Exception):
    """The instance answered 5xx: a failure for its breaker, but the answer still goes back."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        super().__init__(response.status)
        self.response = response


class _SheddingLoad(NotUpstreamsFault):
    """The instance refused the request to protect itself: not a failure for its breaker."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        super().__init__(response.status)
        self.response = response


def sheds_load(status: int, headers: Mapping[str, str]) -> bool:
    """A 503 with Retry-After: the instance is up, answering, and asking for time.

    Counting it as a failure would open the breaker exactly when the instance is protecting
    itself well (a sign-in storm shed in a millisecond each), and then every route on that
    instance fails fast, reads included. It counts as an answer instead (the breaker treats it
    as a success, like other excluded outcomes). A 503 without Retry-After, and every other 5xx,
    still counts as a failure.
    """
    return status == 503 and "retry-after" in headers


class _Body:
    """The request body as an async generator over ASGI messages, counted against a limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self.received = 0
        self.started = False
        self.too_large = False
        self.gone = False
        self.finished = False

    async def chunks(self) -> AsyncIterator[bytes]:
        self.started = True
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.gone = True
                raise ClientGone()
            chunk = message.get("body", b"")
            if chunk:
                self.received += len(chunk)
                # Checked as bytes arrive: a chunked upload has no Content-Length to refuse early.
                if self.received > self._limit:
                    self.too_large = True
                    raise BodyTooLarge()
                yield chunk
            if not message.get("more_body", False):
                self.finished = True
                return


@dataclass(frozen=True, slots=True)
class _Call:
    """One request as every attempt sends it."""

    method: str
    target: str
    headers: CIMultiDict[str]
    body: _Body | None
    timeouts: aiohttp.ClientTimeout


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bool(value != b"0")
        if name == b"transfer-encoding":
            return True
    return scope["method"] not in _BODYLESS


class Proxy:
    """Sends requests to upstream pools and relays the answers."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        pools: dict[str, UpstreamPool],
        budget: RetryBudget,
        *,
        timeouts: dict[TimeoutClass, aiohttp.ClientTimeout],
        retry_attempts: int,
        on_retry: Callable[[], None] = lambda: None,
    ) -> None:
        self._session = session
        self._pools = pools
        self._budget = budget
        self._timeouts = timeouts
        self._retry_attempts = retry_attempts
        self._on_retry = on_retry

    async def forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        route: Route,
        headers: CIMultiDict[str],
        response_headers: list[tuple[bytes, bytes]],
    ) -> int:
        """Forward the request and relay the response; returns the status sent."""
        pool = self._pools[route.upstream]
        method: str = scope["method"]
        body = _Body(receive, route.max_body_bytes) if _has_body(scope) else None
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        call = _Call(method, target, headers, body, self._timeouts[route.timeout])
        self._budget.record_request()
        instance = pool.pick()
        if instance is None:
            raise UpstreamUnavailable(retry_after=pool.retry_after_s())
        try:
            response = await self._attempt(instance, call)
        except _ConnectFailed as exc:
            if method not in IDEMPOTENT or (body is not None and body.started):
                raise UpstreamUnavailable(retry_after=pool.retry_after_s()) from exc
            response = await self._retry(exc, pool, instance, call)
        # Only long transfers pay for a disconnect watcher, and only once the request body is
        # read: before that, `receive` belongs to the body stream.
        watch = route.timeout == "transfer" and (body is None or body.finished)
        return await self._relay(response, send, response_headers, receive if watch else None)

    async def _retry(
        self,
        first_error: _ConnectFailed,
        pool: UpstreamPool,
        first: Instance,
        call: _Call,
    ) -> aiohttp.ClientResponse:
        tried = [first]
        body = call.body
        pending: _ConnectFailed | None = first_error

        def worth_retrying(exc: BaseException) -> bool:
            if not isinstance(exc, _ConnectFailed) or (body is not None and body.started):
                return False
            if not self._budget.try_spend():
                return False
            self._on_retry()
            return True

        retrying = AsyncRetrying(
            stop=stop_after_attempt(1 + self._retry_attempts),
            wait=wait_exponential_jitter(initial=0.05, max=1.0, jitter=0.05),
            retry=retry_if_exception(worth_retrying),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    # The first attempt already failed outside; replaying its error here lets
                    # tenacity decide and back off exactly as for any later one.
                    if pending is not None:
                        error, pending = pending, None
                        raise error
                    instance = pool.pick(tried) or pool.pick()
                    if instance is None:
                        raise _ConnectFailed("no instance admits a call")
                    tried.append(instance)
                    return await self._attempt(instance, call)
        except _ConnectFailed as exc:
            raise UpstreamUnavailable(retry_after=pool.retry_after_s()) from exc
        raise AssertionError("unreachable: tenacity either returns or reraises")

    async def _attempt(
        self,
        instance: Instance,
        call: _Call,
    ) -> aiohttp.ClientResponse:
        body = call.body
        try:
            async with instance.breaker.guard():
                try:
                    response = await self._session.request(
                        call.method,
                        URL(instance.url + call.target, encoded=True),
                        headers=call.headers,
                        data=body.chunks() if body is not None else None,
                        timeout=call.timeouts,
                        allow_redirects=False,
                    )
                except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                    raise _ConnectFailed(instance.url) from exc
                except (aiohttp.ClientError, TimeoutError) as exc:
                    # aiohttp wraps what the body generator raised; the flags say what it was.
                    if body is not None and body.too_large:
                        raise BodyTooLarge() from exc
                    if body is not None and body.gone:
                        raise ClientGone() from exc
                    raise
                if sheds_load(response.status, response.headers):
                    raise _SheddingLoad(response)
                if response.status >= 500:
                    raise _FailedStatus(response)
                return response
        except BreakerOpen as exc:
            raise _ConnectFailed(instance.url) from exc
        except (_FailedStatus, _SheddingLoad) as answered:
            return answered.response
        except BodyTooLarge as exc:
            raise PayloadTooLarge() from exc
        except TimeoutError as exc:
            raise GatewayTimeout() from exc
        except aiohttp.ClientError as exc:
            log.warning("upstream %s failed: %s", instance.url, type(exc).__name__)
            raise BadGateway() from exc

    async def _relay(
        self,
        response: aiohttp.ClientResponse,
        send: Send,
        extra_headers: list[tuple[bytes, bytes]],
        watch: Receive | None,
    ) -> int:
        # The server drops sends after a disconnect without telling us, so a download would
        # keep pulling from the upstream for nobody; the watcher notices the disconnect instead.
        gone = asyncio.ensure_future(_disconnected(watch)) if watch is not None else None
        try:
            headers = downstream_response_headers(response.raw_headers) + extra_headers
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            length = response.content_length
            if length is not None and length <= _SMALL_BODY:
                # Most API answers are small JSON: one read and one send instead of a stream.
                await send({"type": "http.response.body", "body": await response.read()})
                return response.status
            async for chunk in response.content.iter_any():
                if gone is not None and gone.done():
                    raise ClientGone()
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Returning without finishing the response makes the server drop the connection,
            # so the client sees a broken transfer instead of a short but "complete" body.
            log.warning("upstream broke off a response: %s", type(exc).__name__)
        finally:
            if gone is not None:
                gone.cancel()
            # Unread bytes left: aiohttp closes the upstream connection instead of pooling it.
            response.release()
        return response.status


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
