"""A local server that speaks enough of OpenRouter's chat-completions API to test the client."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

GOOD_VIBE = {
    "description": "Dusty, laid-back keys loop with a soft swing.",
    "moods": ["mellow", "nostalgic"],
    "era": "1970s",
    "genre": "soul",
    "energy": 0.35,
    "descriptors": ["warm", "dusty", "tonal"],
    "compatibility_tags": ["90-bpm", "a-minor", "loop"],
    "best_use": "loop under boom bap drums",
}


def chat(
    content: str | dict[str, Any],
    *,
    model: str = "qwen/qwen3-7b-it",
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A chat-completions body whose message holds `content` (a dict is sent as JSON text)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        ],
        "usage": usage
        if usage is not None
        else {"prompt_tokens": 300, "completion_tokens": 80, "total_tokens": 380, "cost": 0.00042},
    }


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Hold the request until the test sets this event (or the server stops).
    hold: asyncio.Event | None = None
    # Answer after this many seconds (a model's latency, for benchmarks).
    delay_s: float = 0.0


@dataclass
class Seen:
    """One request the server received."""

    headers: dict[str, str]
    body: dict[str, Any]
    peer_port: int


class FakeOpenRouter:
    """Answers from a script, then with `default`; records every request."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.default = Reply(body=chat(GOOD_VIBE))
        self.seen: list[Seen] = []
        self.stopping = asyncio.Event()
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def then(self, *replies: Reply) -> FakeOpenRouter:
        """Queue replies for the next requests."""
        self.script.extend(replies)
        return self

    async def until_seen(self, count: int) -> None:
        """Return once `count` requests have arrived."""
        while len(self.seen) < count:
            self._arrived.clear()
            await self._arrived.wait()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/api/v1"

    async def stop(self) -> None:
        self.stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.seen.append(Seen(dict(request.headers), await request.json(), peer[1] if peer else 0))
        self._arrived.set()
        reply = self.script.pop(0) if self.script else self.default
        if reply.hold is not None:
            hold = asyncio.ensure_future(reply.hold.wait())
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({hold, stop}, return_when=asyncio.FIRST_COMPLETED)
            hold.cancel()
            stop.cancel()
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if isinstance(reply.body, str):
            return web.Response(status=reply.status, text=reply.body, headers=reply.headers)
        body = reply.body if reply.body is not None else {"error": {"message": "scripted"}}
        return web.json_response(body, status=reply.status, headers=reply.headers)


@contextmanager
def served_in_thread() -> Iterator[tuple[FakeOpenRouter, asyncio.AbstractEventLoop]]:
    """A FakeOpenRouter served from an event loop of its own thread, for other processes (a
    worker) to call; yields it with that loop (for `call_soon_threadsafe`)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakeOpenRouter()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=10)
    try:
        yield server, loop
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
