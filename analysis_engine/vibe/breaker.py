"""A circuit breaker around the provider: pybreaker's state machine, used correctly from asyncio.

pybreaker knows nothing of asyncio (decorating an `async def` only times the creation of the
coroutine, so failures never count), so the guarded block is `with breaker.calling(): await ...`.
Two gaps are closed here. A half-open pybreaker lets every caller through at once; `guard` admits
one probe and refuses the rest until it is decided. And a cancelled call says nothing about the
provider: it is excluded, but pybreaker counts an excluded exception as a success, so a cancelled
probe puts the breaker back to half-open instead of closing it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pybreaker

from analysis_engine.vibe.errors import MalformedReply, ProviderRejected, ProviderUnavailable

log = logging.getLogger("analysis_engine.vibe.breaker")


class _StateLog(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        level = logging.INFO if new_state.name == pybreaker.STATE_CLOSED else logging.WARNING
        log.log(
            level, "breaker %s: %s -> %s", cb.name, getattr(old_state, "name", None), new_state.name
        )


class ProviderBreaker:
    """Opens after `fail_max` failed calls in a row; after `reset_s` one probe decides."""

    def __init__(self, name: str, *, fail_max: int, reset_s: float) -> None:
        self._probing = False
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_s,
            # The provider answered these (or the caller left): they say nothing of its health.
            exclude=[asyncio.CancelledError, ProviderRejected, MalformedReply],
            listeners=[_StateLog()],
            name=name,
            # Let the caller see what went wrong, not a generic "breaker opened".
            throw_new_error_on_trip=False,
        )

    @property
    def state(self) -> str:
        """'closed', 'open' or 'half-open'."""
        return str(self._breaker.current_state)

    def admits(self) -> bool:
        """Whether a call now would be let through (closed, or the single probe is free)."""
        state = self._breaker.current_state
        if state == pybreaker.STATE_CLOSED:
            return True
        if self._probing:
            return False
        if state == pybreaker.STATE_HALF_OPEN:
            return True
        opened_at = self._breaker._state_storage.opened_at  # pybreaker has no public getter
        reset = timedelta(seconds=self._breaker.reset_timeout)
        return opened_at is None or datetime.now(UTC) >= opened_at + reset

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run the block as one call through the breaker; ProviderUnavailable when refused."""
        probe = self._breaker.current_state != pybreaker.STATE_CLOSED
        if probe:
            if self._probing:
                raise ProviderUnavailable("a probe is already deciding the breaker")
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
            raise ProviderUnavailable() from exc
        finally:
            if probe:
                self._probing = False
                if cancelled and self._breaker.current_state == pybreaker.STATE_CLOSED:
                    self._breaker.half_open()
