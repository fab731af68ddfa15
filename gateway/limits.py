"""One Redis round trip per signed-in request: revocation, tier, per-minute and daily limits.

A Lua script reads the revocation keys (the same keys and meaning as `tokens.RevocationStore`:
`sp404:revoked:jti:{<user_id>}:<jti>`, `sp404:revoked:sid:{<user_id>}:<sid>`,
`sp404:valid_after:{<user_id>}`), the tier the platform publishes at `sp404:tier:{<user_id>}`
(falling back to the token's claim), a sliding log of the last minute's requests
(`sp404:rl:user:{<user_id>}`, a sorted set, so "100 in any 60 seconds" is exact) and the day's
counter (`sp404:api_calls:{<user_id>}:<YYYYMMDD>`, UTC), and counts the request only when every
check passed. The braces are literal: every key names the user as its hash tag, so all six keys
live in one Redis Cluster slot and the script runs there as it does on one node. Refused
requests do not count. The daily counter is the PRD's "API calls/day", the price of programmatic
access: only personal-access-token requests read or advance it. The web app's session traffic is
governed by the per-minute limit and the resource quotas alone, so the app can never lock its
producer out for the day.

When Redis is unreachable the limits fail OPEN: requests pass unlimited and uncounted, and an
alarm is logged on the "gateway.limits" logger at most once per minute. Refusing every request
because the limiter is down would turn a cache outage into a full outage; the limits protect
capacity and fairness, not security. After a failure the limiter skips Redis for
`redis_retry_s`, so an outage costs one failed call per interval rather than a timeout per
request. On a Redis Cluster that interval is kept per hash slot: a lost master opens the limits
of the producers whose slots it held, and everyone else stays counted (drills/redis_cluster_kill.py
measures it). Revocation does NOT fail open: the caller then asks `RevocationStore.check`, which
answers from its in-process mirror of the revocations this process has seen.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import RedisError

from sp404.tokens import Claims, RevocationStore

log = logging.getLogger("gateway.limits")

Outcome = Literal["ok", "revoked", "minute", "daily", "unchecked"]
_OUTCOMES: tuple[Outcome, ...] = ("ok", "revoked", "minute", "daily")
WINDOW_MS = 60_000
_DAY_KEY_TTL_S = 2 * 24 * 3600
_ALARM_INTERVAL_S = 60.0
# 80 % of the daily allowance: from here on responses carry X-Quota-Warning.
WARNING_RATIO = 0.8

# KEYS: 1 jti, 2 valid_after, 3 sid, 4 tier, 5 minute log, 6 day counter.
# ARGV: 1 now (ms), 2 iat, 3 token tier, 4 per-minute limit, 5 log member, 6 day-key ttl (s),
#       7 allowance of an unknown tier, 8 the table "|free=100|pro=10000|enterprise=-1|"
#       (-1 = unlimited; one string rather than many arguments keeps the call cheap to encode),
#       9 "1" when the daily quota applies (a personal token), "0" for a session.
# Returns {outcome, tier, remaining this minute, ms until a slot frees, calls today, allowance}.
_USER_GATE = """
if redis.call('EXISTS', KEYS[1], KEYS[3]) > 0 then return {1, '', 0, 0, 0, 0} end
local valid_after = tonumber(redis.call('GET', KEYS[2]))
if valid_after and tonumber(ARGV[2]) < valid_after then return {1, '', 0, 0, 0, 0} end
local tier = redis.call('GET', KEYS[4]) or ARGV[3]
local allowance = tonumber(ARGV[7])
local listed = string.match(ARGV[8], '|' .. tier:gsub('%p', '%%%0') .. '=(%-?%d+)|')
if listed then allowance = tonumber(listed) end
local metered = ARGV[9] == '1'
if not metered then allowance = -1 end
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 60000)
local used = redis.call('ZCARD', KEYS[5])
local today = 0
if metered then today = tonumber(redis.call('GET', KEYS[6]) or '0') end
local free_in = 0
if used > 0 then
  free_in = tonumber(redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')[2]) + 60000 - now
end
if used >= limit then return {2, tier, 0, free_in, today, allowance} end
if allowance >= 0 and today >= allowance then
  return {3, tier, limit - used, free_in, today, allowance}
end
redis.call('ZADD', KEYS[5], now, ARGV[5])
redis.call('PEXPIRE', KEYS[5], 60000)
if metered then
  today = redis.call('INCR', KEYS[6])
  if today == 1 then redis.call('EXPIRE', KEYS[6], ARGV[6]) end
end
if used == 0 then free_in = 60000 end
return {0, tier, limit - used - 1, free_in, today, allowance}
"""

# KEYS: 1 the address's minute log. ARGV: 1 now (ms), 2 limit, 3 log member.
# Returns {allowed (1/0), remaining, ms until a slot frees}.
_ADDRESS_GATE = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
local used = redis.call('ZCARD', KEYS[1])
local free_in = 60000
if used > 0 then
  free_in = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) + 60000 - now
end
if used >= limit then return {0, 0, free_in} end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 60000)
return {1, limit - used - 1, free_in}
"""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the limiter decided, and the figures the response headers report."""

    outcome: Outcome
    tier: str
    limit: int
    remaining: int
    reset_s: int
    daily_used: int = 0
    daily_limit: int | None = None
    daily_reset_s: int = 0

    @property
    def allowed(self) -> bool:
        """Whether the request may go on (an unchecked one does: limits fail open)."""
        return self.outcome in ("ok", "unchecked")

    def headers(self) -> list[tuple[bytes, bytes]]:
        """X-RateLimit-* for the limit that refused, else the per-minute one; and warnings."""
        if self.outcome == "unchecked":
            return []
        if self.outcome == "daily" and self.daily_limit is not None:
            limit, remaining, reset = self.daily_limit, 0, self.daily_reset_s
        else:
            limit, remaining, reset = self.limit, self.remaining, self.reset_s
        out = [
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", str(max(0, remaining)).encode()),
            (b"x-ratelimit-reset", str(reset).encode()),
        ]
        if self.outcome in ("minute", "daily"):
            out.append((b"retry-after", str(max(1, reset)).encode()))
        if self.daily_limit is not None:
            left = max(0, self.daily_limit - self.daily_used)
            out.append((b"x-ratelimit-daily-limit", str(self.daily_limit).encode()))
            out.append((b"x-ratelimit-daily-remaining", str(left).encode()))
            if self.daily_used >= WARNING_RATIO * self.daily_limit:
                warning = f"API requests today: {self.daily_used} of {self.daily_limit} used"
                out.append((b"x-quota-warning", warning.encode()))
        return out


class Limiter:
    """Runs the gate scripts; fails open (with an alarm) when Redis is unreachable."""

    def __init__(
        self,
        client: redis.Redis,
        revocation: RevocationStore,
        *,
        allowances: Callable[[], Mapping[str, int | None]],
        per_minute: int,
        per_address_minute: int,
        retry_after_failure_s: float = 1.0,
        key_prefix: str = "sp404:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._revocation = revocation
        self._allowances = allowances
        self._per_minute = per_minute
        self._per_address = per_address_minute
        self._retry_s = retry_after_failure_s
        self._prefix = key_prefix
        self._clock = clock
        self._user_gate = client.register_script(_USER_GATE)
        self._address_gate = client.register_script(_ADDRESS_GATE)
        # Per hash slot on a cluster (one master down opens only its producers' limits); one
        # entry (-1) for a single Redis, where every key shares its fate.
        self._cluster = isinstance(client, RedisCluster)
        self._skip_until: dict[int, float] = {}
        self._alarmed_at = -math.inf
        self._table_of: Mapping[str, int | None] | None = None
        self._table: tuple[int, str] = (0, "||")
        self.failures = 0

    @property
    def degraded(self) -> bool:
        """Whether a recent Redis call failed (limits are open right now, for some or all)."""
        now = self._clock()
        return any(now < until for until in self._skip_until.values())

    async def check_user(self, claims: Claims, request_id: str) -> Verdict:
        """Count one request of a signed-in user, or say why it is refused.

        A personal token's request also counts against (and may be refused by) the daily quota.
        """
        now = self._clock()
        unchecked = Verdict("unchecked", claims.tier, self._per_minute, self._per_minute, 60)
        scope = self._scope(f"{{{claims.user_id}}}")
        if now < self._skip_until.get(scope, 0.0):
            return unchecked
        now_ms = int(now * 1000)
        day = dt.datetime.fromtimestamp(now, dt.UTC)
        user = claims.user_id
        keys = [
            self._revocation.jti_key(claims.jti, user),
            self._revocation.valid_after_key(user),
            self._revocation.sid_key(claims.sid or "-", user),
            f"{self._prefix}tier:{{{user}}}",
            f"{self._prefix}rl:user:{{{user}}}",
            f"{self._prefix}api_calls:{{{user}}}:{day:%Y%m%d}",
        ]
        unknown_tier, table = self._allowance_table()
        args: list[Any] = [
            now_ms,
            claims.iat,
            claims.tier,
            self._per_minute,
            f"{now_ms}:{request_id}",
            _DAY_KEY_TTL_S,
            unknown_tier,
            table,
            "1" if claims.personal else "0",
        ]
        try:
            code, tier, remaining, free_in_ms, today, allowance = await self._user_gate(
                keys=keys, args=args
            )
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc, now, scope)
            return unchecked
        midnight = (day + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return Verdict(
            outcome=_OUTCOMES[int(code)],
            tier=tier.decode() if isinstance(tier, bytes) else str(tier),
            limit=self._per_minute,
            remaining=int(remaining),
            reset_s=math.ceil(int(free_in_ms) / 1000),
            daily_used=int(today),
            daily_limit=None if int(allowance) < 0 else int(allowance),
            daily_reset_s=math.ceil((midnight - day).total_seconds()),
        )

    async def check_address(self, address: str, request_id: str) -> Verdict:
        """Count one anonymous credential request from a client address."""
        now = self._clock()
        unchecked = Verdict("unchecked", "", self._per_address, self._per_address, 60)
        key = f"{self._prefix}rl:ip:{address}"
        scope = self._scope(key)
        if now < self._skip_until.get(scope, 0.0):
            return unchecked
        now_ms = int(now * 1000)
        try:
            allowed, remaining, free_in_ms = await self._address_gate(
                keys=[key], args=[now_ms, self._per_address, f"{now_ms}:{request_id}"]
            )
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc, now, scope)
            return unchecked
        return Verdict(
            outcome="ok" if int(allowed) else "minute",
            tier="",
            limit=self._per_address,
            remaining=int(remaining),
            reset_s=math.ceil(int(free_in_ms) / 1000),
        )

    def _allowance_table(self) -> tuple[int, str]:
        allowances = self._allowances()
        if allowances is not self._table_of:
            # Rebuilt only when the plans were reloaded (a new mapping object).
            pairs = "|".join(f"{t}={_allowance_arg(a)}" for t, a in allowances.items())
            # A tier the table does not know gets the smallest allowance: Free's.
            self._table = (_allowance_arg(allowances.get("free", 0)), f"|{pairs}|")
            self._table_of = allowances
        return self._table

    def _scope(self, key: str) -> int:
        return key_slot(key.encode()) if self._cluster else -1

    def _failed(self, exc: Exception, now: float, scope: int) -> None:
        self.failures += 1
        self._skip_until[scope] = now + self._retry_s
        if len(self._skip_until) > 4096:
            self._skip_until = {k: v for k, v in self._skip_until.items() if v > now}
        if now - self._alarmed_at >= _ALARM_INTERVAL_S:
            self._alarmed_at = now
            log.error(
                "rate limiter cannot reach Redis: limits are OPEN until it answers (%s)",
                type(exc).__name__,
            )


def _allowance_arg(allowance: int | None) -> int:
    return -1 if allowance is None else allowance
