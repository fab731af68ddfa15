"""Fixtures: a fake OpenRouter on 127.0.0.1 and clients pointed at it with test-sized limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from analysis_engine.vibe import ClientPolicy, OpenRouterClient, aclose_clients
from tests.analysis_engine.vibe.fake_openrouter import FakeOpenRouter

API_KEY = "sk-or-v1-test-0123456789abcdef"
# Small numbers so failures are quick; the sleeps are recorded, not slept.
FAST = ClientPolicy(
    connect_timeout_s=1.0,
    total_timeout_s=1.0,
    attempts=3,
    retry_after_cap_s=5.0,
    breaker_fail_max=3,
    breaker_reset_s=60.0,
)


class SleepLog:
    """Stands in for asyncio.sleep: remembers each requested wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest_asyncio.fixture
async def openrouter() -> AsyncIterator[FakeOpenRouter]:
    """A running fake OpenRouter."""
    server = FakeOpenRouter()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def sleeps() -> SleepLog:
    """The retry waits a client asked for."""
    return SleepLog()


@pytest_asyncio.fixture
async def client(openrouter: FakeOpenRouter, sleeps: SleepLog) -> AsyncIterator[OpenRouterClient]:
    """A client of the fake server with FAST limits and recorded sleeps."""
    async with OpenRouterClient(
        API_KEY, base_url=openrouter.base_url, policy=FAST, sleep=sleeps
    ) as made:
        yield made


@pytest_asyncio.fixture
async def shared_clients() -> AsyncIterator[None]:
    """Closes the process-wide clients `describe` opened."""
    yield
    await aclose_clients()
