"""Admission control for password hashing: a few hashes at a time and a bounded wait for a turn.

A password hash is CPU work by design (Argon2id: ~22 ms of a core), so a sign-in storm is work
that queueing cannot make faster: a queue only turns every sign-in into a slow one and, past the
gateway's timeout, into a failure that also counts against the platform's breaker while the
reads waiting behind the CPU starve. So a process hashes on a pool of `workers` threads (the C
hashers release the GIL, so that is `workers` cores) and a request that would wait longer than
`max_wait_s` for a thread is refused at once with 503 + Retry-After, at the cost of a
comparison instead of a hash.

The hashing threads also run at a lower CPU priority (nice +10, on Linux where a thread has its
own): a storm then takes only the CPU that signed-in producers' requests leave over, instead of
an equal share per thread that starves every event loop on the machine, reads included. Under
contention a hash takes longer, the estimate below rises, and the gate sheds sooner.

The wait is estimated from the backlog and the wall time of recent hashes, so it follows what a
hash costs now: when other processes take the CPU, hashes get slower and the gate admits fewer.
A hash still running past that estimate raises it at once (the CPU just got scarcer, or the
hashes dearer: old bcrypt ones), and an admitted hash whose turn still comes too late is dropped
when a thread picks it up, so nobody waits past the budget.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from sp404.accounts.errors import PasswordCheckBusy

T = TypeVar("T")
log = logging.getLogger("accounts.hash_gate")
# Weight of the newest hash in the running estimate of what one costs: a storm completes dozens
# a second, so the estimate catches up within a second.
_SMOOTHING = 0.2


def _lower_priority(niceness: int) -> None:
    """Make the calling thread `niceness` steps nicer. Linux only: there a thread has its own
    nice value (setpriority with a thread id); elsewhere the same call would slow the whole
    process, event loop included."""
    if sys.platform != "linux" or niceness <= 0:
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + niceness))
    except OSError:
        # Never fatal: hashing at normal priority is still correct, only less polite.
        log.warning("could not lower the priority of a password hashing thread")


class _TooLate(Exception):
    """The hash's turn came after its deadline; it was not computed."""


class HashGate:
    """Runs hashing functions on `workers` threads, refusing work that would wait too long."""

    def __init__(
        self,
        *,
        workers: int,
        max_wait_s: float,
        first_estimate_s: float,
        niceness: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if workers < 1:
            raise ValueError("a hash gate needs at least one worker")
        self.workers = workers
        self.max_wait_s = max_wait_s
        self._clock = clock
        self._executor = ThreadPoolExecutor(
            max_workers=workers,
            thread_name_prefix="password",
            initializer=_lower_priority,
            initargs=(niceness,),
        )
        # Guards the state below: the event loop and the hashing threads both change it.
        self._lock = threading.Lock()
        self._admitted = 0  # running or waiting for a thread
        self._seconds_per_hash = first_estimate_s
        self._started: dict[int, float] = {}  # thread -> when its current hash began

    def _per_hash_s(self) -> float:
        # Under the lock. The oldest running hash has taken at least this long already.
        oldest = min(self._started.values(), default=None)
        running = 0.0 if oldest is None else self._clock() - oldest
        return max(self._seconds_per_hash, running)

    def expected_wait_s(self) -> float:
        """How long a hash admitted now would wait for a thread (0 while one is free)."""
        with self._lock:
            ahead = self._admitted - self.workers + 1
            return ahead * self._per_hash_s() / self.workers if ahead > 0 else 0.0

    def retry_after_s(self) -> int:
        """Whole seconds to suggest to a refused caller: when the backlog is done, and never
        sooner than the wait budget (the others refused with it come back too).

        Spread over up to twice that, so refused clients do not all return in the same second
        and make the next storm.
        """
        with self._lock:
            drain = self._admitted * self._per_hash_s() / self.workers
        spread = random.uniform(1.0, 2.0)  # noqa: S311 - jitter, not a secret
        return max(1, math.ceil(max(drain, self.max_wait_s) * spread))

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on a hashing thread; PasswordCheckBusy when the wait would be too long."""
        if self.expected_wait_s() > self.max_wait_s:
            raise PasswordCheckBusy(retry_after=self.retry_after_s())
        deadline = self._clock() + self.max_wait_s
        with self._lock:
            self._admitted += 1
        future = self._executor.submit(self._timed, deadline, fn, *args)
        # Runs once the hash is done, dropped, or cancelled before it started (a caller that
        # went away): the count always comes down.
        future.add_done_callback(self._release)
        try:
            return await asyncio.wrap_future(future)
        except _TooLate:
            raise PasswordCheckBusy(retry_after=self.retry_after_s()) from None

    def _timed(self, deadline: float, fn: Callable[..., T], *args: object) -> T:
        started = self._clock()
        if started > deadline:
            raise _TooLate()
        thread = threading.get_ident()
        with self._lock:
            self._started[thread] = started
        try:
            result = fn(*args)
        finally:
            elapsed = self._clock() - started
            with self._lock:
                del self._started[thread]
                self._seconds_per_hash += _SMOOTHING * (elapsed - self._seconds_per_hash)
        return result

    def _release(self, _: Future[T]) -> None:
        with self._lock:
            self._admitted -= 1
