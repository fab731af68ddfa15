"""Drill: one master of a Redis Cluster dies. A private cluster of three masters and three
replicas (`tests/support/redis_cluster.py`, node timeout 1.5 s) serves the gateway's limiter and
revocation store (`SP404_REDIS_CLUSTER=true`), driven in-process by 24 producers spread over every
master, each checked ~20 times a second. One master's process is killed; the drill reports, second
by second, what the producers on the lost master's slots and everyone else got, and checks:

- before the kill, every check is counted (`ok`, never `unchecked`) and the limiter refuses
  (`minute`) a producer over the per-minute limit;
- during the outage, nothing raises and nothing waits on a timeout: the limiter fails open
  (`unchecked`), and a token revoked before the kill stays refused (the store's local mirror
  and, after failover, the replica that had the key);
- the replica is promoted and every producer is counted again within 10 s;
- the killed process, restarted, rejoins (as a replica of the promoted node) and the cluster
  reports `cluster_state:ok`.

    .venv/bin/python -m drills.redis_cluster_kill
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, defaultdict

from drills.common import Verdict
from gateway import limits
from sp404.core.redis_client import create_redis
from sp404.core.settings import get_settings
from sp404.tokens import Claims, InvalidToken, RevocationStore
from tests.support.redis_cluster import Cluster, running_cluster

PRODUCERS = 24
BEFORE_S = 3.0
AFTER_S = 12.0
PER_MINUTE = 100_000  # never reached by the steady traffic
RECOVERY_LIMIT_S = 10.0


def _claims(user: str, *, iat: int | None = None, jti: str | None = None) -> Claims:
    now = int(time.time())
    return Claims(
        user_id=user,
        email=f"{user[:8]}@example.com",
        tier="free",
        verified=True,
        jti=jti or uuid.uuid4().hex,
        exp=now + 900,
        iat=now if iat is None else iat,
        sid=None,
        raw={},
    )


async def _drill(verdict: Verdict, cluster: Cluster) -> None:
    settings = get_settings().model_copy(update={"redis_url": cluster.url, "redis_cluster": True})
    client = create_redis(settings)
    store = RevocationStore(client, retry_interval=0.5)
    limiter = limits.Limiter(
        client,
        store,
        allowances=lambda: {"free": -1},
        per_minute=PER_MINUTE,
        per_address_minute=PER_MINUTE,
        retry_after_failure_s=0.5,
    )
    strict = limits.Limiter(client, store, allowances=lambda: {"free": -1}, per_minute=5,
                     per_address_minute=5)  # fmt: skip
    users = [str(uuid.uuid4()) for _ in range(PRODUCERS)]
    victim = cluster.node_serving(f"sp404:tier:{{{users[0]}}}")
    on_victim = {u for u in users if cluster.node_serving(f"sp404:tier:{{{u}}}") is victim}
    revoked = _claims(users[0], jti="revoked-before-the-kill")
    await store.revoke_jti(revoked.jti, revoked.exp, user_id=users[0])
    # A fresh store (another gateway) has no mirror: what it answers comes from the cluster.
    other_gateway = RevocationStore(client, retry_interval=0.5)

    samples: list[tuple[float, bool, str]] = []
    revoked_held: list[bool] = []
    errors: list[str] = []
    stop = asyncio.Event()

    async def producer(user: str) -> None:
        index = 0
        while not stop.is_set():
            index += 1
            try:
                verdict_ = await limiter.check_user(_claims(user), f"{user[:6]}-{index}")
                samples.append((time.monotonic(), user in on_victim, verdict_.outcome))
            except Exception as exc:  # the drill must see anything at all escape
                errors.append(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(0.05)

    async def revocation_watch() -> None:
        while not stop.is_set():
            try:
                await store.check(revoked)
                revoked_held.append(False)
            except InvalidToken:
                revoked_held.append(True)
            await asyncio.sleep(0.1)

    strict_before = [
        (await strict.check_user(_claims(users[1]), f"s{i}")).outcome for i in range(6)
    ]
    tasks = [asyncio.ensure_future(producer(u)) for u in users]
    tasks.append(asyncio.ensure_future(revocation_watch()))
    await asyncio.sleep(BEFORE_S)
    killed_at = time.monotonic()
    cluster.kill(victim)
    await asyncio.sleep(AFTER_S)
    stop.set()
    await asyncio.gather(*tasks)
    try:
        await other_gateway.check(revoked)
        other_refuses = False
    except InvalidToken:
        other_refuses = True
    restart_started = time.monotonic()
    cluster.restart(victim)
    cluster.wait_ok()
    rejoined_s = time.monotonic() - restart_started
    role = victim.cli("role").split()[0] if victim.cli("role") else "?"
    await client.aclose()

    before = [s for s in samples if s[0] < killed_at]
    per_second: dict[int, dict[str, Counter[str]]] = defaultdict(
        lambda: {"lost": Counter(), "others": Counter()}
    )
    for at, lost, outcome in samples:
        per_second[int(at - killed_at)]["lost" if lost else "others"][outcome] += 1
    unchecked_after = [at - killed_at for at, _, outcome in samples
                       if at >= killed_at and outcome == "unchecked"]  # fmt: skip
    recovered_s = max(unchecked_after, default=0.0)
    slow = 0  # every check is awaited in sequence per producer: count gaps over 1 s
    last: dict[bool, float] = {}
    for at, lost, _ in sorted(samples):
        if lost in last and at - last[lost] > 1.0:
            slow += 1
        last[lost] = at

    verdict.check("before the kill every check was counted (no 'unchecked')",
                  bool(before) and all(o == "ok" for _, _, o in before))  # fmt: skip
    verdict.check("the limiter refused a producer over its limit before the kill",
                  strict_before[-1] == "minute")  # fmt: skip
    verdict.check("nothing raised during the outage", not errors)
    verdict.check("the token revoked before the kill stayed refused throughout",
                  bool(revoked_held) and all(revoked_held))  # fmt: skip
    verdict.check("a gateway without a local mirror still refuses it (the replica had the key)",
                  other_refuses)  # fmt: skip
    verdict.check(f"every producer is counted again within {RECOVERY_LIMIT_S:.0f} s",
                  recovered_s < RECOVERY_LIMIT_S)  # fmt: skip
    verdict.check("the restarted node rejoined and the cluster is ok", role in ("slave", "master"))
    verdict.figure("producers on the lost master / all", f"{len(on_victim)} / {PRODUCERS}")
    verdict.figure("last unchecked answer after the kill (s)", f"{recovered_s:.2f}")
    verdict.figure("restarted node rejoined in (s)", f"{rejoined_s:.2f} as {role}")
    verdict.figure("pauses over 1 s in any producer's checks", slow)
    for second in sorted(per_second):
        if second < -1 or second > AFTER_S:
            continue
        row = per_second[second]
        verdict.figure(
            f"t={second:+d}s lost-master producers / others",
            f"{dict(row['lost'])} / {dict(row['others'])}",
        )
    if errors:
        verdict.figure("first error", errors[0])


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("one Redis Cluster master killed")
    try:
        with running_cluster(masters=3, replicas=1) as cluster:
            asyncio.run(_drill(verdict, cluster))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
