"""Upstream instances in round-robin pools, each behind its own breaker, and the retry budget."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gateway.breaker import InstanceBreaker


@dataclass(frozen=True, slots=True)
class Instance:
    """One upstream process: its base URL and its breaker."""

    url: str
    breaker: InstanceBreaker


class UpstreamPool:
    """The instances of one upstream, taken in turn, skipping those whose breaker is open."""

    def __init__(
        self, name: str, urls: Sequence[str], breaker: Callable[[str], InstanceBreaker]
    ) -> None:
        if not urls:
            raise ValueError(f"upstream {name} has no instances")
        self.name = name
        self.instances = [Instance(url.rstrip("/"), breaker(f"{name}:{url}")) for url in urls]
        self._next = 0

    def pick(self, tried: Sequence[Instance] = ()) -> Instance | None:
        """The next instance that admits a call and was not tried yet, or None."""
        count = len(self.instances)
        for step in range(count):
            instance = self.instances[(self._next + step) % count]
            if instance not in tried and instance.breaker.admits():
                self._next = (self._next + step + 1) % count
                return instance
        return None

    def retry_after_s(self) -> int:
        """Whole seconds until some instance lets a probe through (at least 1)."""
        soonest = min(i.breaker.retry_after_s() for i in self.instances)
        return max(1, math.ceil(soonest))


class RetryBudget:
    """Retries may add at most `ratio` of the requests seen over a sliding window.

    Counted in one-second buckets over `window_s`; `floor` retries are always allowed per
    window so that a quiet gateway can still ride over one dropped connection.
    """

    def __init__(
        self,
        *,
        ratio: float,
        floor: int,
        window_s: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ratio = ratio
        self._floor = floor
        self._window_s = window_s
        self._clock = clock
        # (second, requests, retries) per bucket, oldest first.
        self._buckets: deque[list[int]] = deque()
        self._requests = 0
        self._retries = 0

    def record_request(self) -> None:
        """Count one request (first attempt)."""
        self._bucket()[1] += 1
        self._requests += 1

    def try_spend(self) -> bool:
        """Take one retry from the budget; False when it is spent."""
        bucket = self._bucket()
        if self._retries >= self._floor + self._ratio * self._requests:
            return False
        bucket[2] += 1
        self._retries += 1
        return True

    def _bucket(self) -> list[int]:
        second = int(self._clock())
        while self._buckets and self._buckets[0][0] <= second - self._window_s:
            _, requests, retries = self._buckets.popleft()
            self._requests -= requests
            self._retries -= retries
        if not self._buckets or self._buckets[-1][0] != second:
            self._buckets.append([second, 0, 0])
        return self._buckets[-1]
