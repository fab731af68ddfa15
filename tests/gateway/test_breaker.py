"""The breaker and retry budget on their own: one probe when half-open, retries kept to 10 %."""

from __future__ import annotations

import asyncio

import pytest

from gateway.breaker import BreakerOpen, InstanceBreaker
from gateway.upstreams import RetryBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _fail(breaker: InstanceBreaker) -> None:
    with pytest.raises(ConnectionError):
        async with breaker.guard():
            raise ConnectionError("refused")


async def test_a_breaker_opens_after_fail_max_failures_in_a_row() -> None:
    breaker = InstanceBreaker("engine:a", fail_max=3, reset_s=60)
    for _ in range(3):
        await _fail(breaker)
    assert breaker.state == "open"
    assert not breaker.admits()
    with pytest.raises(BreakerOpen):
        async with breaker.guard():
            pass


async def test_a_half_open_breaker_lets_exactly_one_probe_through() -> None:
    breaker = InstanceBreaker("engine:a", fail_max=1, reset_s=0.05)
    await _fail(breaker)
    await asyncio.sleep(0.06)
    assert breaker.admits()
    probe_entered = asyncio.Event()
    release = asyncio.Event()

    async def probe() -> None:
        async with breaker.guard():
            probe_entered.set()
            await release.wait()

    task = asyncio.create_task(probe())
    await probe_entered.wait()
    assert not breaker.admits()
    for _ in range(5):
        with pytest.raises(BreakerOpen):
            async with breaker.guard():
                pass
    release.set()
    await task
    assert breaker.state == "closed"
    assert breaker.admits()


async def test_a_failed_probe_opens_the_breaker_again() -> None:
    breaker = InstanceBreaker("engine:a", fail_max=1, reset_s=0.05)
    await _fail(breaker)
    await asyncio.sleep(0.06)
    await _fail(breaker)
    assert breaker.state == "open"
    assert not breaker.admits()


async def test_a_cancelled_probe_neither_closes_nor_reopens_the_breaker() -> None:
    breaker = InstanceBreaker("engine:a", fail_max=1, reset_s=0.05)
    await _fail(breaker)
    await asyncio.sleep(0.06)

    async def probe() -> None:
        async with breaker.guard():
            await asyncio.sleep(10)

    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state == "half-open"
    assert breaker.admits()


async def test_a_cancelled_call_does_not_count_as_a_failure() -> None:
    breaker = InstanceBreaker("engine:a", fail_max=1, reset_s=60)

    async def call() -> None:
        async with breaker.guard():
            await asyncio.sleep(10)

    task = asyncio.create_task(call())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state == "closed"


def test_retries_are_capped_at_a_tenth_of_requests_plus_a_small_floor() -> None:
    clock = Clock()
    budget = RetryBudget(ratio=0.1, floor=3, window_s=10, clock=clock)
    for _ in range(100):
        budget.record_request()
    granted = sum(budget.try_spend() for _ in range(50))
    assert granted == 13


def test_the_retry_budget_refills_as_the_window_slides() -> None:
    clock = Clock()
    budget = RetryBudget(ratio=0.1, floor=0, window_s=10, clock=clock)
    for _ in range(10):
        budget.record_request()
    assert budget.try_spend()
    assert not budget.try_spend()
    clock.now += 11
    for _ in range(10):
        budget.record_request()
    assert budget.try_spend()
