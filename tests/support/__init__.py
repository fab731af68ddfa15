"""Helpers the test suite, benchmarks, load tests and drills share (one copy of each)."""

from tests.support.ports import free_port
from tests.support.processes import stop

__all__ = ["free_port", "stop"]
