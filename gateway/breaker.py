"""A circuit breaker per upstream instance: pybreaker's state machine, guarded for asyncio.

pybreaker knows nothing of asyncio, so the guarded block is `with breaker.calling(): await ...`
and the caller raises inside it for the outcomes that count as failures (connection errors,
timeouts, 5xx). Two gaps are closed here. A half-open pybreaker lets every caller through at
once; `guard` admits one probe and refuses the rest until it is decided. And a cancelled call
(the client went away) says nothing about the upstream: pybreaker counts an excluded exception
as a success, so a cancelled probe puts the breaker back to half-open instead of closing it.
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

log = logging.getLogger("gateway.breaker")

STATE_VALUES = {pybreaker.STATE_CLOSED: 0, pybreaker.STATE_HALF_OPEN: 1, pybreaker.STATE_OPEN: 2}


class BreakerOpen(Exception):
    """The instance is not taking calls right now."""


class NotUpstreamsFault(Exception):
    """Raised inside a guarded call for failures the client caused; never opens a breaker."""


class _StateLog(pybreaker.CircuitBreakerListener):
    def __init__(self, owner: InstanceBreaker) -> None:
        self._owner = owner

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            self._owner.opened_at = self._owner.clock()
        level = logging.WARNING if new_state.name != pybreaker.STATE_CLOSED else logging.INFO
        old = getattr(old_state, "name", None)
        log.log(level, "breaker %s: %s -> %s", cb.name, old, new_state.name)


class InstanceBreaker:
    """Opens after `fail_max` failures in a row; after `reset_s` one probe decides."""

    def __init__(
        self,
        name: str,
        *,
        fail_max: int,
        reset_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.opened_at = -math.inf
        self._reset_s = reset_s
        self._probing = False
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_s,
            exclude=[asyncio.CancelledError, NotUpstreamsFault],
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
