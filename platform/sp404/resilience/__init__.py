"""Staying up when something we call is down: circuit breakers for asyncio callers."""

from sp404.resilience.breaker import STATE_VALUES, AsyncBreaker, BreakerOpen

__all__ = ["STATE_VALUES", "AsyncBreaker", "BreakerOpen"]
