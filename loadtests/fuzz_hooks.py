"""Schemathesis hooks for loadtests/fuzz.py (loaded through SCHEMATHESIS_HOOKS): a fresh bearer
token per test run, fetched again after a 401. Some fuzzed operations legitimately end every
token of the account (a plan change bumps its valid-after mark); without this every operation
fuzzed after them would see only 401s and test nothing."""

from __future__ import annotations

import itertools
import os
import threading
from typing import Any

import httpx
import schemathesis

from loadtests.journey import client_address

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
