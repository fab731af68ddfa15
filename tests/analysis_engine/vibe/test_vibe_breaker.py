"""The circuit breaker: a dead provider fails fast, and one probe decides when to trust it again."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from analysis_engine.vibe import OpenRouterClient
from analysis_engine.vibe.errors import ProviderRejected, ProviderUnavailable, VibeError
from tests.analysis_engine.vibe.clips import minor_loop
from tests.analysis_engine.vibe.conftest import API_KEY, FAST, SleepLog
from tests.analysis_engine.vibe.fake_openrouter import GOOD_VIBE, FakeOpenRouter, Reply, chat

# One attempt per call so each failed call is one request; a short reset for the half-open tests.
ONE_SHOT = dataclasses.replace(FAST, attempts=1, breaker_fail_max=2, breaker_reset_s=0.2)


async def _describe(client: OpenRouterClient) -> None:
    await client.describe(minor_loop(), title=None, tags=[], model=None)


async def _trip(client: OpenRouterClient, openrouter: FakeOpenRouter) -> None:
    openrouter.then(*[Reply(status=500)] * ONE_SHOT.breaker_fail_max)
    for _ in range(ONE_SHOT.breaker_fail_max):
        with pytest.raises(VibeError):
            await _describe(client)


@pytest.fixture
async def breaking(openrouter: FakeOpenRouter, sleeps: SleepLog) -> AsyncIterator[OpenRouterClient]:
    async with OpenRouterClient(
        API_KEY, base_url=openrouter.base_url, policy=ONE_SHOT, sleep=sleeps
    ) as made:
        yield made


async def test_the_breaker_opens_after_repeated_failures_and_then_sends_nothing(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    await _trip(breaking, openrouter)
    sent = len(openrouter.seen)

    for _ in range(5):
        with pytest.raises(ProviderUnavailable):
            await _describe(breaking)

    assert len(openrouter.seen) == sent
    assert not breaking.available
    assert breaking.breaker.state == "open"


async def test_all_retries_of_one_call_count_as_one_failure(
    openrouter: FakeOpenRouter, sleeps: SleepLog
) -> None:
    policy = dataclasses.replace(FAST, attempts=3, breaker_fail_max=2)
    openrouter.default = Reply(status=500)
    async with OpenRouterClient(
        API_KEY, base_url=openrouter.base_url, policy=policy, sleep=sleeps
    ) as client:
        with pytest.raises(VibeError):
            await _describe(client)

        assert client.breaker.state == "closed"
        assert len(openrouter.seen) == 3


async def test_after_the_reset_time_one_probe_goes_through_and_closes_the_breaker(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    await _trip(breaking, openrouter)
    await asyncio.sleep(ONE_SHOT.breaker_reset_s * 1.5)
    assert breaking.available
    held = asyncio.Event()
    openrouter.then(Reply(body=chat(GOOD_VIBE), hold=held))
    sent = len(openrouter.seen)

    probe = asyncio.create_task(_describe(breaking))
    await openrouter.until_seen(sent + 1)
    # While the probe is out, everyone else is still refused without a request.
    assert not breaking.available
    with pytest.raises(ProviderUnavailable):
        await _describe(breaking)
    assert len(openrouter.seen) == sent + 1

    held.set()
    await probe
    assert breaking.breaker.state == "closed"
    await _describe(breaking)
    assert len(openrouter.seen) == sent + 2


async def test_a_failed_probe_opens_the_breaker_again(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    await _trip(breaking, openrouter)
    await asyncio.sleep(ONE_SHOT.breaker_reset_s * 1.5)
    openrouter.then(Reply(status=503))

    with pytest.raises(VibeError):
        await _describe(breaking)
    sent = len(openrouter.seen)
    with pytest.raises(ProviderUnavailable):
        await _describe(breaking)

    assert len(openrouter.seen) == sent
    assert breaking.breaker.state == "open"


async def test_refusals_do_not_open_the_breaker(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    openrouter.then(*[Reply(status=401)] * (ONE_SHOT.breaker_fail_max + 1))
    for _ in range(ONE_SHOT.breaker_fail_max + 1):
        with pytest.raises(ProviderRejected):
            await _describe(breaking)

    await _describe(breaking)

    assert breaking.breaker.state == "closed"


async def test_a_timeout_counts_as_a_failure(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    openrouter.then(*[Reply(hold=asyncio.Event())] * ONE_SHOT.breaker_fail_max)
    for _ in range(ONE_SHOT.breaker_fail_max):
        with pytest.raises(VibeError):
            await _describe(breaking)

    assert breaking.breaker.state == "open"


async def test_a_cancelled_call_does_not_count_as_a_failure(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    for _ in range(ONE_SHOT.breaker_fail_max + 1):
        openrouter.then(Reply(hold=asyncio.Event()))
        sent = len(openrouter.seen)
        call = asyncio.create_task(_describe(breaking))
        await openrouter.until_seen(sent + 1)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call

    assert breaking.breaker.state == "closed"
    await _describe(breaking)


async def test_a_cancelled_probe_leaves_the_next_call_to_probe(
    openrouter: FakeOpenRouter, breaking: OpenRouterClient
) -> None:
    await _trip(breaking, openrouter)
    await asyncio.sleep(ONE_SHOT.breaker_reset_s * 1.5)
    openrouter.then(Reply(hold=asyncio.Event()))
    sent = len(openrouter.seen)
    probe = asyncio.create_task(_describe(breaking))
    await openrouter.until_seen(sent + 1)

    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe

    assert breaking.breaker.state == "half-open"
    assert breaking.available
