"""Password rules and hashing: Argon2id for new hashes, bcrypt accepted from the old app.

Every hash and check runs through one HashGate per process (accounts.hash_gate): at most
HASH_WORKERS at once, and a caller that would wait more than HASH_MAX_WAIT_S for a turn gets a
503 `overloaded` with Retry-After at once instead of a place in a queue.
"""

from __future__ import annotations

import os
import time
from functools import lru_cache

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sp404.accounts.errors import WeakPassword
from sp404.accounts.hash_gate import HashGate

MIN_LENGTH = 8
MAX_LENGTH = 1024  # generous, but bounded so a megabyte "password" cannot burn a CPU

# OWASP's Argon2id minimum: 19 MiB, 2 iterations, 1 lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so a miss costs what a hit costs; timed, as the
# gate's first estimate of what a hash costs on this machine.
_started = time.perf_counter()
_DUMMY_HASH = _HASHER.hash("timing-equaliser-not-a-password")
_FIRST_HASH_S = time.perf_counter() - _started

# Hashes one process computes at once: one per core it may run on, since each is pure CPU and
# more threads would only share the same cores. (To become Settings.password_hash_workers.)
HASH_WORKERS = max(
    1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
)
# The longest a login, sign-up or reset waits for a hashing thread before it is refused: well
# under the gateway's 10 s timeout, and short enough that a refused client's retry comes soon.
# (To become Settings.password_hash_max_wait_s.)
HASH_MAX_WAIT_S = 2.0
_GATE = HashGate(workers=HASH_WORKERS, max_wait_s=HASH_MAX_WAIT_S, first_estimate_s=_FIRST_HASH_S)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common leaked passwords; only the ones long enough to pass the
    # length rule matter here.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH)


def check_password_rules(password: str) -> None:
    """Length 8..1024 characters and not a common password; no composition rules."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    if password.lower() in _common_passwords():
        raise WeakPassword("That password is too common; choose another.")


def _is_bcrypt(stored: str) -> bool:
    return stored.startswith(("$2a$", "$2b$", "$2y$"))


def _verify_sync(stored: str | None, password: str) -> bool:
    if stored is None:
        try:
            _HASHER.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    if _is_bcrypt(stored):
        # bcrypt ignores everything past 72 bytes; a longer password must not match its prefix.
        encoded = password.encode()
        if len(encoded) > 72:
            return False
        return bcrypt.checkpw(encoded, stored.encode())
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    """An Argon2id hash, computed off the event loop (PasswordCheckBusy when overloaded)."""
    return await _GATE.run(_HASHER.hash, password)


async def verify_password(stored: str | None, password: str) -> bool:
    """Check a password against an Argon2id or legacy bcrypt hash, off the event loop.

    `stored=None` (no such user) still spends one Argon2id verification, so timing does not tell
    whether an account exists. PasswordCheckBusy when the hashing threads are overloaded.
    """
    return await _GATE.run(_verify_sync, stored, password)


def needs_rehash(stored: str) -> bool:
    """True for legacy bcrypt hashes and Argon2 hashes with outdated parameters."""
    return _is_bcrypt(stored) or _HASHER.check_needs_rehash(stored)
