"""Access-token revocation in Redis: a jti denylist and a per-user "valid after" time.

Keys: `sp404:revoked:jti:{<user_id>}:<jti>` (set on logout, lives until the token would expire
anyway), `sp404:revoked:sid:{<user_id>}:<sid>` (a signed-out session: every access token carrying
that `sid` claim, for one access-token lifetime) and `sp404:valid_after:{<user_id>}` (Unix
seconds; tokens with `iat` before it are revoked; bumped on password change, reset and account
deletion). `check` reads them with one MGET. The braces are literal: the user id is the keys'
hash tag, so a user's keys (these, the tier and the gateway's counters) share one Redis Cluster
slot and one MGET or script can read them all.

When Redis is unreachable we do NOT fail every request. Decision: the store keeps an
in-process mirror of every denylist entry and valid-after time it wrote or read, each for as
long as it matters (until the token lifetime has passed, the "last N minutes" with
N = access-token TTL + leeway), bounded in size; during an outage `check` answers from that
mirror and logs a warning on the "tokens" logger at most once per `alarm_interval`. So a
revocation made or seen by this process still holds, while a revocation made elsewhere during
the outage is missed until Redis is back, bounded by the short access-token lifetime. After a
failure the store skips Redis for `retry_interval` so an outage costs one failed call per
interval, not one timeout per request. The mirror is consulted even when Redis answers, so a
revocation whose Redis write failed still holds here. Writes that fail raise
RevocationUnavailable after updating the mirror, so the caller can tell the user that a
logout may not have reached every server.
"""

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from sp404.tokens.claims import Claims
from sp404.tokens.errors import InvalidToken, RevocationUnavailable

logger = logging.getLogger("tokens")

# Only ever raises the stored time: a late or reordered write cannot re-admit old tokens.
_RAISE_VALID_AFTER = """
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class _ExpiringMap:
    """A bounded map whose entries vanish at their own deadline; oldest writes go first."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def get(self, key: str, now: float) -> int | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, until = entry
        if now >= until:
            del self._entries[key]
            return None
        return value

    def put_max(self, key: str, value: int, until: float) -> None:
        current = self._entries.pop(key, None)
        if current is not None and current[0] > value:
            value, until = current[0], max(until, current[1])
        self._entries[key] = (value, until)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


class RevocationStore:
    """Revoked jtis and per-user valid-after times in Redis, with a local outage fallback."""

    def __init__(
        self,
        client: "redis.Redis",
        *,
        access_ttl: int = 3600,
        leeway: int = 30,
        key_prefix: str = "sp404:",
        mirror_size: int = 100_000,
        alarm_interval: float = 60.0,
        retry_interval: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._owns_client = False
        self._access_ttl = access_ttl
        self._leeway = leeway
        self._prefix = key_prefix
        self._revoked = _ExpiringMap(mirror_size)
        self._revoked_sids = _ExpiringMap(mirror_size)
        self._valid_after = _ExpiringMap(mirror_size)
        self._alarm_interval = alarm_interval
        self._retry_interval = retry_interval
        self._clock = clock
        self._down_until = 0.0
        self._alarmed_at = -alarm_interval
        self._degraded = False
        self._raise_valid_after = client.register_script(_RAISE_VALID_AFTER)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        max_connections: int = 64,
        timeout: float = 0.25,
        **options: Any,
    ) -> "RevocationStore":
        """A store with its own client on a BlockingConnectionPool with short timeouts."""
        # The default pool raises as soon as max_connections are busy; the blocking one waits
        # up to `timeout` for a free connection. One immediate retry covers a pooled connection
        # that Redis closed; a longer retry loop would stall requests during an outage.
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        store = cls(redis.Redis(connection_pool=pool), **options)
        store._owns_client = True
        return store

    async def aclose(self) -> None:
        """Close the Redis client when this store created it."""
        if self._owns_client:
            await self._redis.aclose(close_connection_pool=True)

    @property
    def key_prefix(self) -> str:
        """The prefix of every key this store writes."""
        return self._prefix

    def jti_key(self, jti: str, user_id: str | UUID) -> str:
        """The Redis key of a denylisted jti of `user_id`'s (in the user's hash slot)."""
        return f"{self._prefix}revoked:jti:{{{user_id}}}:{jti}"

    def sid_key(self, sid: str, user_id: str | UUID) -> str:
        """The Redis key of a revoked session id of `user_id`'s (in the user's hash slot)."""
        return f"{self._prefix}revoked:sid:{{{user_id}}}:{sid}"

    def valid_after_key(self, user_id: str | UUID) -> str:
        """The Redis key of a user's valid-after time."""
        return f"{self._prefix}valid_after:{{{user_id}}}"

    async def revoke_jti(self, jti: str, exp: int, *, user_id: str | UUID) -> None:
        """Refuse `user_id`'s token with this jti from now until it would have expired anyway."""
        now = self._clock()
        until = exp + self._leeway
        self._revoked.put_max(jti, 1, until)
        ttl = max(1, int(until - now) + 1)
        try:
            await self._redis.set(self.jti_key(jti, user_id), b"1", ex=ttl)
        except RedisError as exc:
            self._alarm(exc)
            raise RevocationUnavailable("revocation stored in this process only") from exc

    async def revoke_session(self, sid: str | UUID, *, user_id: str | UUID) -> None:
        """Refuse every access token of `user_id`'s session for as long as any of them lives."""
        sid = str(sid)
        now = self._clock()
        until = now + self._access_ttl + self._leeway
        self._revoked_sids.put_max(sid, 1, until)
        try:
            await self._redis.set(self.sid_key(sid, user_id), b"1", ex=max(1, int(until - now) + 1))
        except RedisError as exc:
            self._alarm(exc)
            raise RevocationUnavailable("session revocation stored in this process only") from exc

    async def set_valid_after(self, user_id: str | UUID, ts: int) -> None:
        """Refuse this user's tokens issued (iat) before `ts`; tokens from second `ts` on pass."""
        user_id = str(user_id)
        until = ts + self._access_ttl + self._leeway
        self._valid_after.put_max(user_id, ts, until)
        ttl = max(1, int(until - self._clock()) + 1)
        try:
            await self._raise_valid_after(keys=[self.valid_after_key(user_id)], args=[ts, ttl])
        except RedisError as exc:
            self._alarm(exc)
            raise RevocationUnavailable("valid-after stored in this process only") from exc

    async def check(self, claims: Claims) -> None:
        """Raise InvalidToken('revoked') if the token's jti or issue time has been revoked."""
        now = self._clock()
        if now >= self._down_until:
            try:
                jti_value, valid_after, sid_value = await self._redis.mget(
                    self.jti_key(claims.jti, claims.user_id),
                    self.valid_after_key(claims.user_id),
                    self.sid_key(claims.sid or "-", claims.user_id),
                )
            except RedisError as exc:
                self._down_until = now + self._retry_interval
                self._alarm(exc)
            else:
                self._recovered()
                if jti_value is not None:
                    self._revoked.put_max(claims.jti, 1, claims.exp + self._leeway)
                if sid_value is not None and claims.sid:
                    self._revoked_sids.put_max(claims.sid, 1, claims.exp + self._leeway)
                if valid_after is not None:
                    ts = int(valid_after)
                    self._valid_after.put_max(
                        claims.user_id, ts, ts + self._access_ttl + self._leeway
                    )
        if self._revoked.get(claims.jti, now) is not None:
            raise InvalidToken("revoked")
        if claims.sid and self._revoked_sids.get(claims.sid, now) is not None:
            raise InvalidToken("revoked")
        valid_after_ts = self._valid_after.get(claims.user_id, now)
        if valid_after_ts is not None and claims.iat < valid_after_ts:
            raise InvalidToken("revoked")

    def _recovered(self) -> None:
        if self._degraded:
            self._degraded = False
            logger.warning("revocation store reachable again")

    def _alarm(self, exc: Exception) -> None:
        self._degraded = True
        now = self._clock()
        if now - self._alarmed_at >= self._alarm_interval:
            self._alarmed_at = now
            logger.warning(
                "revocation store unreachable, answering from the local mirror: %s",
                type(exc).__name__,
            )
