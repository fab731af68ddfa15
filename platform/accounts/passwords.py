"""Password rules and hashing: Argon2id for new hashes, bcrypt accepted from the old app."""

from __future__ import annotations

import asyncio
from functools import lru_cache

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from accounts.errors import WeakPassword

MIN_LENGTH = 8
MAX_LENGTH = 1024  # generous, but bounded so a megabyte "password" cannot burn a CPU

# OWASP's Argon2id minimum: 19 MiB, 2 iterations, 1 lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = _HASHER.hash("timing-equaliser-not-a-password")


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
    """An Argon2id hash, computed off the event loop."""
    return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(stored: str | None, password: str) -> bool:
    """Check a password against an Argon2id or legacy bcrypt hash, off the event loop.

    `stored=None` (no such user) still spends one Argon2id verification, so timing does not tell
    whether an account exists.
    """
    return await asyncio.to_thread(_verify_sync, stored, password)


def needs_rehash(stored: str) -> bool:
    """True for legacy bcrypt hashes and Argon2 hashes with outdated parameters."""
    return _is_bcrypt(stored) or _HASHER.check_needs_rehash(stored)
