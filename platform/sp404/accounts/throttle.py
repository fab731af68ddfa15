"""Attempt throttling in Redis (sign-in, link e-mails), keyed so it never reveals whether an
account exists: the same limits apply to any e-mail string.

When Redis is unreachable the throttles fail open with a logged alarm: refusing every sign-in
during a cache outage would be worse than losing brute-force protection for its duration, and
Argon2id still makes guessing slow.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError

from sp404.accounts.errors import LoginThrottled

log = logging.getLogger("throttle")


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_s: int


# Wrong passwords lock one address out of one account; the account as a whole locks only after
# many more, spread over addresses, and never for a device holding a live session of it (see
# accounts.sessions.login): a stranger's guesses must not lock the owner out.
LOGIN_FAILURES_PER_ACCOUNT_ADDRESS = Limit("login-account-address", 10, 15 * 60)
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 50, 15 * 60)
LOGIN_ATTEMPTS_PER_IP = Limit("login-ip", 30, 5 * 60)
MAIL_PER_ADDRESS = Limit("mail-address", 3, 15 * 60)
REGISTER_PER_IP = Limit("register-ip", 20, 60 * 60)
# Link tokens are unguessable, but nobody needs more than a few tries at one.
VERIFY_PER_IP = Limit("verify-ip", 20, 15 * 60)


def _key(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"sp404:throttle:{limit.name}:{digest}"


async def retry_after(client: redis.Redis, limit: Limit, subject: str) -> int:
    """Seconds until `subject` may try again under `limit` (0: go ahead). Does not count."""
    try:
        key = _key(limit, subject)
        pipe = client.pipeline(transaction=False)
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    except RedisError as exc:
        log.error("throttle unavailable, failing open", extra={"error": str(exc)})
        return 0
    if count is not None and int(count) >= limit.attempts:
        return max(1, int(ttl))
    return 0


async def count(client: redis.Redis, limit: Limit, subject: str) -> None:
    """Count one attempt of `subject` in the current window."""
    key = _key(limit, subject)
    try:
        pipe = client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, limit.window_s, nx=True)
        await pipe.execute()
    except RedisError as exc:
        log.error("throttle unavailable, failing open", extra={"error": str(exc)})


async def reset(client: redis.Redis, limit: Limit, subject: str) -> None:
    """Forget the attempts of `subject` (after a successful sign-in)."""
    try:
        await client.delete(_key(limit, subject))
    except RedisError as exc:
        log.error("throttle unavailable", extra={"error": str(exc)})


async def enforce(client: redis.Redis, limit: Limit, subject: str) -> None:
    """Raise 429 with Retry-After when `subject` is over `limit`."""
    wait = await retry_after(client, limit, subject)
    if wait:
        raise LoginThrottled(retry_after=wait)


async def enforce_and_count(client: redis.Redis, limit: Limit, subject: str) -> None:
    """Raise 429 when over the limit, otherwise count this attempt."""
    await enforce(client, limit, subject)
    await count(client, limit, subject)
