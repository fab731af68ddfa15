"""A platform shedding a sign-in storm (503 + Retry-After) is protecting itself, not failing: the
gateway relays the refusals, its breaker for the platform stays closed, and signed-in producers'
reads on the same platform keep answering 200 all through the storm."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import asyncpg
import bcrypt
import httpx
import pytest

from sp404.core.settings import Settings
from tests.accounts.test_login_admission import (
    LEGACY_PASSWORD,
    Answer,
    burst_size,
    client,
    legacy_producers,
    sign_in,
)
from tests.gateway.conftest import Gateway, Stub, gateway_env, spawn_gateway
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, signed_up, start_platform, stop

FAIL_MAX = 5  # the gateway's default: five failures in a row open an instance's breaker
READER = "10.91.0.1"


@pytest.fixture(scope="module")
def platform(migrated_db: Settings, mailbox: Mailbox) -> Iterator[str]:
    """A real platform of its own: the storm must not share its hashing threads."""
    url, process = start_platform(migrated_db, mailbox)
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def gateway(migrated_db: Settings, platform: str, engine_stub: Stub) -> Iterator[Gateway]:
    env = gateway_env(
        migrated_db, [platform], [engine_stub.url], SP404_GATEWAY_BREAKER_FAIL_MAX=str(FAIL_MAX)
    )
    gw = spawn_gateway(env)
    yield gw
    gw.stop()


async def breaker_states(api: httpx.AsyncClient) -> set[str]:
    ready = (await api.get("/readyz")).json()
    return {instance["breaker"] for instance in ready["upstreams"]["platform"]}


async def test_a_storm_of_shed_sign_ins_leaves_the_platform_breaker_closed_and_reads_working(
    gateway: Gateway,
    platform: str,
    mailbox: Mailbox,
    pool: asyncpg.Pool,
) -> None:
    with httpx.Client(
        base_url=platform, auth=as_gateway(), timeout=20, headers={"X-Client-IP": READER}
    ) as api:
        reader = signed_up(api, mailbox)
    # Producers from the old app: their bcrypt checks make a storm at a size a test can send.
    stored = bcrypt.hashpw(LEGACY_PASSWORD.encode(), bcrypt.gensalt(rounds=12))
    started = time.perf_counter()
    bcrypt.checkpw(LEGACY_PASSWORD.encode(), stored)
    emails = await legacy_producers(
        pool, stored.decode(), burst_size(time.perf_counter() - started)
    )
    reads: list[int] = []
    states: set[str] = set()

    async with client(gateway.url, len(emails) + 4) as door:
        storm = asyncio.gather(*(sign_in(door, email, LEGACY_PASSWORD) for email in emails))

        async def read_while_storming() -> None:
            # A producer already signed in keeps browsing, a few requests a second.
            while not storm.done():
                profile = await door.get(
                    "/api/account/profile", headers={**reader.auth, "X-Forwarded-For": READER}
                )
                reads.append(profile.status_code)
                states.update(await breaker_states(door))
                await asyncio.sleep(0.2)

        answers: list[Answer]
        answers, _ = await asyncio.gather(storm, read_while_storming())

        shed = [a for a in answers if a.status == 503]
        # Enough refusals to have opened the breaker, had they counted as failures.
        assert len(shed) >= FAIL_MAX, [a.status for a in answers]
        assert {a.code for a in shed} == {"overloaded"}
        assert all(a.retry_after is not None for a in shed)
        assert any(a.status == 200 for a in answers)

        assert reads and set(reads) == {200}, reads
        assert states == {"closed"}
        # And after it, sign-ins go through the gateway to the platform as usual.
        assert (await sign_in(door, reader.email, reader.password)).status == 200
        assert await breaker_states(door) == {"closed"}
