"""A circuit breaker for asyncio callers: pybreaker's state machine, guarded.

pybreaker knows nothing of asyncio (decorating an `async def` only times the creation of the
coroutine, so failures never count), so the guarded block is `with breaker.calling(): await ...`
and the caller raises inside it for the outcomes that count as failures. Two gaps are closed
here. A half-open pybreaker lets every caller through at once; `guard` admits one probe and
refuses the rest until it is decided. And a cancelled call says nothing about the other side:
pybreaker counts an excluded exception as a success, so a cancelled probe puts the breaker back to
half-open instead of closing it. The gateway (one per upstream instance) and the vibe client (one
per provider) both use it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pybreaker

log = logging.getLogger("resilience.breaker")

STATE_VALUES = {pybreaker.STATE_CLOSED: 0, pybreaker.STATE_HALF_OPEN: 1, pybreaker.STATE_OPEN: 2}


class BreakerOpen(Exception):
    """The guarded side is not taking calls right now."""


class _StateLog(pybreaker.CircuitBreakerListener):
    def __init__(self, owner: AsyncBreaker) -> None:
        self._owner = owner

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            self._owner.opened_at = self._owner.clock()
        level = logging.WARNING if new_state.name != pybreaker.STATE_CLOSED else logging.INFO
        old = getattr(old_state, "name", None)
        log.log(level, "breaker %s: %s -> %s", cb.name, old, new_state.name)


class AsyncBreaker:
    """Opens after `fail_max` failures in a row; after `reset_s` one probe decides.

    Exceptions of the `exclude` types (and cancellation) pass through without counting: they are
    outcomes the guarded side is not to blame for.
    """

    def __init__(
        self,
        name: str,
        *,
        fail_max: int,
        reset_s: float,
        exclude: tuple[type[BaseException], ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.opened_at = -math.inf
        self._reset_s = reset_s
        self._probing = False
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_s,
            exclude=[asyncio.CancelledError, *exclude],  # type: ignore[arg-type]
            listeners=[_StateLog(self)],
            name=name,
            # Let the caller see what went wrong, not a generic "breaker opened".
            throw_new_error_on_trip=False,
        )

    @property
    def state(self) -> str:
        """'closed', 'open' or 'half-open' as pybreaker records it."""
        return str(self._breaker.current_state)

    def admits(self) -> bool:
        """Whether a call now would be let through (closed, or the single probe is free)."""
        state = self._breaker.current_state
        if state == pybreaker.STATE_CLOSED:
            return True
        if self._probing:
            return False
        return state == pybreaker.STATE_HALF_OPEN or self.retry_after_s() <= 0

    def retry_after_s(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when it would now)."""
        if self._breaker.current_state != pybreaker.STATE_OPEN:
            return 0.0
        return max(0.0, self.opened_at + self._reset_s - self.clock())

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run the block as a call through the breaker; raises BreakerOpen when refused."""
        probe = self._breaker.current_state != pybreaker.STATE_CLOSED
        if probe:
            if self._probing:
                raise BreakerOpen(self._breaker.name)
            self._probing = True
        cancelled = False
        try:
            with self._breaker.calling():
                try:
                    yield
                except asyncio.CancelledError:
                    cancelled = True
                    raise
        except pybreaker.CircuitBreakerError as exc:
            raise BreakerOpen(self._breaker.name) from exc
        finally:
            if probe:
                self._probing = False
                if cancelled and self._breaker.current_state == pybreaker.STATE_CLOSED:
                    self._breaker.half_open()
