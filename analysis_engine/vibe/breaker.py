"""The provider's circuit breaker: the shared asyncio breaker (resilience.AsyncBreaker), told
that refusals, unusable replies and cancellations say nothing about the provider's health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from analysis_engine.vibe.errors import MalformedReply, ProviderRejected, ProviderUnavailable
from sp404.resilience import AsyncBreaker, BreakerOpen


class ProviderBreaker:
    """Opens after `fail_max` failed calls in a row; after `reset_s` one probe decides."""

    def __init__(self, name: str, *, fail_max: int, reset_s: float) -> None:
        self._breaker = AsyncBreaker(
            name, fail_max=fail_max, reset_s=reset_s, exclude=(ProviderRejected, MalformedReply)
        )

    @property
    def state(self) -> str:
        """'closed', 'open' or 'half-open'."""
        return self._breaker.state

    def admits(self) -> bool:
        """Whether a call now would be let through (closed, or the single probe is free)."""
        return self._breaker.admits()

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run the block as one call through the breaker; ProviderUnavailable when refused."""
        try:
            async with self._breaker.guard():
                yield
        except BreakerOpen as exc:
            raise ProviderUnavailable() from exc
