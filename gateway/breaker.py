"""A circuit breaker per upstream instance (the shared asyncio breaker, told which outcomes are
not the upstream failing: the client's mistakes, and the upstream shedding load on purpose)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sp404.resilience import STATE_VALUES, AsyncBreaker, BreakerOpen

__all__ = ["STATE_VALUES", "BreakerOpen", "InstanceBreaker", "NotUpstreamsFault"]


class NotUpstreamsFault(Exception):
    """Raised inside a guarded call for outcomes the upstream is not to blame for (the client's
    failures, a 503 + Retry-After the upstream chose to send); never opens a breaker."""


class InstanceBreaker(AsyncBreaker):
    """One upstream instance's breaker."""

    def __init__(
        self,
        name: str,
        *,
        fail_max: int,
        reset_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            name, fail_max=fail_max, reset_s=reset_s, exclude=(NotUpstreamsFault,), clock=clock
        )
