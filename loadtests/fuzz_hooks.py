"""Schemathesis hooks for loadtests/fuzz.py (loaded through SCHEMATHESIS_HOOKS): a fresh bearer
token per test run, fetched again after a 401. Some fuzzed operations legitimately end every
token of the account (a plan change bumps its valid-after mark); without this every operation
fuzzed after them would see only 401s and test nothing. Also one parse of Python source at a time
in the fuzzer's process (below)."""

from __future__ import annotations

import ast
import functools
import itertools
import os
import sys
import threading
from typing import Any

import httpx
import schemathesis

from loadtests.journey import client_address

# CPython 3.11's ast.parse can fail spuriously with "SystemError: AST constructor recursion
# depth mismatch" when threads parse at once (python/cpython gh-106905; pytest and others saw
# it in threaded programs). Schemathesis's two workers do, as hypothesis reads the source of
# each filter lambda to describe it, and one fuzz run in many ended that way. Parsing one at a
# time costs nothing the fuzz would notice.
if sys.version_info < (3, 12):
    _PARSE_LOCK = threading.Lock()
    _parse = ast.parse

    @functools.wraps(_parse)
    def _parse_one_at_a_time(*args: Any, **kwargs: Any) -> Any:
        with _PARSE_LOCK:
            return _parse(*args, **kwargs)

    ast.parse = _parse_one_at_a_time

# Addresses of their own, so the per-address sign-in throttle never meets the fuzzer's logins.
_ADDRESSES = itertools.count(50_000)
_LOCK = threading.Lock()


@schemathesis.auth(refresh_interval=60, retry_on=[401])
class FreshToken:
    """Signs in as the fuzzer's producer (FUZZ_PLATFORM_URL, FUZZ_EMAIL, FUZZ_PASSWORD)."""

    def get(self, case: schemathesis.Case[Any], ctx: schemathesis.AuthContext) -> str:
        with _LOCK:
            address = client_address(next(_ADDRESSES))
        response = httpx.post(
            f"{os.environ['FUZZ_PLATFORM_URL']}/api/auth/login",
            json={"email": os.environ["FUZZ_EMAIL"], "password": os.environ["FUZZ_PASSWORD"]},
            headers={"X-Forwarded-For": address},
            timeout=30,
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def set(self, case: schemathesis.Case[Any], data: str, ctx: schemathesis.AuthContext) -> None:
        # Headers always exist on a case (an empty case-insensitive dict by default).
        case.headers["Authorization"] = f"Bearer {data}"
