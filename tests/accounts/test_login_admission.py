"""Admission control for password hashing, against a real platform process: a sign-in burst
bigger than the hashing threads can serve within the wait budget gets fast 503s with
Retry-After (never a timeout), the rest sign in, and a lone sign-in is unaffected.

The burst signs in producers imported from the old app, whose bcrypt hashes (cost 12) cost
~15x an Argon2id check: the same storm as thousands of Argon2id sign-ins, at a size a test can
send on any machine.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import bcrypt
import httpx
import pytest

from sp404.accounts.passwords import HASH_MAX_WAIT_S, HASH_WORKERS
from sp404.core.db import tenant_tx
from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.stack import (
    PASSWORD,
    Mailbox,
    link_token,
    new_email,
    register,
    start_platform,
    stop,
)

LEGACY_PASSWORD = "old app passphrase"
# The platform's own answer time on top of the wait budget, on a busy 2-core machine.
SLACK_S = 2.0
# What a client in front of the platform would give up after (the gateway's default timeout).
GATEWAY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    retry_after: str | None
    code: str | None


@pytest.fixture(scope="module")
def platform(migrated_db: Settings, mailbox: Mailbox) -> Iterator[str]:
    """A platform of its own: nobody else's requests share its hashing threads."""
    url, process = start_platform(migrated_db, mailbox)
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def legacy_hash() -> tuple[str, float]:
    """One bcrypt hash of the old app's cost, and what checking it costs on this machine."""
    stored = bcrypt.hashpw(LEGACY_PASSWORD.encode(), bcrypt.gensalt(rounds=12))
    started = time.perf_counter()
    bcrypt.checkpw(LEGACY_PASSWORD.encode(), stored)
    return stored.decode(), time.perf_counter() - started


def burst_size(check_s: float) -> int:
    """Three times the sign-ins the hashing threads finish within the wait budget."""
    served = HASH_WORKERS * (HASH_MAX_WAIT_S / check_s + 1)
    return max(24, math.ceil(3 * served))


async def legacy_producers(pool: asyncpg.Pool, stored: str, count: int) -> list[str]:
    """`count` verified producers carrying the old app's bcrypt hash; their e-mails."""
    emails = []
    for _ in range(count):
        user_id = uuid.uuid4()
        email = f"legacy-{user_id.hex[:12]}@example.com"
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "insert into app.users (id, email, email_normalized, password_hash)"
                " values ($1, $2, $2, $3)",
                user_id,
                email,
                stored,
            )
            await conn.execute("select app.mark_email_verified()")
        emails.append(email)
    return emails


def some_address() -> str:
    """An address of its own, so per-address throttles never carry over."""
    return f"10.{random.randint(80, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> Answer:
    started = time.monotonic()
    response = await client.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        # An address each, as a crowd arrives: the per-address throttle is not what is tested.
        # (X-Client-IP for the platform called directly, X-Forwarded-For through a gateway.)
        headers={"X-Client-IP": (address := some_address()), "X-Forwarded-For": address},
    )
    seconds = time.monotonic() - started
    code = response.json()["error"]["code"] if response.status_code >= 400 else None
    return Answer(response.status_code, seconds, response.headers.get("retry-after"), code)


def client(url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(
        base_url=url, auth=as_gateway(), timeout=GATEWAY_TIMEOUT_S * 3, limits=limits
    )


def signed_up_email(url: str, mailbox: Mailbox) -> str:
    """A verified producer with an Argon2id password, through the real sign-up."""
    with httpx.Client(
        base_url=url, auth=as_gateway(), timeout=20, headers={"X-Client-IP": some_address()}
    ) as api:
        email = new_email()
        assert register(api, email).status_code == 201
        token = link_token(mailbox.wait_for(email, "confirm"))
        assert api.post("/api/auth/verify", json={"token": token}).status_code == 200
    return email


async def test_a_lone_sign_in_gets_in_without_waiting(platform: str, mailbox: Mailbox) -> None:
    email = signed_up_email(platform, mailbox)
    async with client(platform, 2) as api:
        answer = await sign_in(api, email, PASSWORD)
    assert answer.status == 200
    assert answer.retry_after is None
    assert answer.seconds < HASH_MAX_WAIT_S


async def burst(
    url: str, pool: asyncpg.Pool, legacy_hash: tuple[str, float]
) -> tuple[list[str], list[Answer]]:
    """Three times the sign-ins the budget admits, all at once; the e-mails and the answers."""
    stored, check_s = legacy_hash
    emails = await legacy_producers(pool, stored, burst_size(check_s))
    async with client(url, len(emails)) as api:
        answers = await asyncio.gather(*(sign_in(api, email, LEGACY_PASSWORD) for email in emails))
    assert {a.status for a in answers} <= {200, 503}, [a.status for a in answers]
    return emails, list(answers)


def assert_shed_well(answers: list[Answer]) -> list[Answer]:
    """Some got in, the others were refused in the wait budget with the reason and a wait."""
    shed = [a for a in answers if a.status == 503]
    assert any(a.status == 200 for a in answers), "nobody got in"
    assert shed, "a burst three times the budget was queued, not shed"
    for answer in shed:
        assert answer.code == "overloaded"
        assert answer.retry_after is not None and int(answer.retry_after) >= 1
        # Refused within the wait budget: nobody waits on a hash they will not get.
        assert answer.seconds < HASH_MAX_WAIT_S + SLACK_S, answer
    # Nobody waited anywhere near a timeout, admitted or not.
    assert max(a.seconds for a in answers) < GATEWAY_TIMEOUT_S
    return shed


async def test_a_sign_in_burst_past_the_budget_is_shed_fast_and_the_rest_get_in(
    platform: str, mailbox: Mailbox, pool: asyncpg.Pool, legacy_hash: tuple[str, float]
) -> None:
    # The first burst finds the gate expecting Argon2id's cost: it admits too many and drops
    # those whose turn comes too late, at the end of the wait budget.
    emails, answers = await burst(platform, pool, legacy_hash)
    shed = assert_shed_well(answers)

    # Now the gate knows what these checks cost: the next burst is refused at once, not after
    # waiting out the budget.
    _, again = await burst(platform, pool, legacy_hash)
    assert any(a.seconds < HASH_MAX_WAIT_S / 2 for a in assert_shed_well(again))

    # Once the bursts are over a lone sign-in is as quick as ever, and a shed producer who
    # comes back after the wait they were told gets in.
    lone = signed_up_email(platform, mailbox)
    async with client(platform, 2) as api:
        answer = await sign_in(api, lone, PASSWORD)
        assert answer.status == 200
        assert answer.seconds < HASH_MAX_WAIT_S
        await asyncio.sleep(int(shed[0].retry_after or 1))
        retried = emails[answers.index(shed[0])]
        assert (await sign_in(api, retried, LEGACY_PASSWORD)).status == 200


async def sign_up(client: httpx.AsyncClient, address: str) -> httpx.Response:
    return await client.post(
        "/api/auth/register",
        json={"email": address, "password": PASSWORD, "first_name": "Dee", "last_name": "Lay"},
        headers={"X-Client-IP": some_address()},
    )


async def press(client: httpx.AsyncClient, emails: list[str], seconds: float) -> tuple[int, int]:
    """A crowd that ignores Retry-After: each producer tries again at once until signed in or
    `seconds` are over, so the hashing threads stay full. Returns (signed in, refusals)."""
    deadline = time.monotonic() + seconds
    refused = 0

    async def one(email: str) -> bool:
        nonlocal refused
        while time.monotonic() < deadline:
            answer = await sign_in(client, email, LEGACY_PASSWORD)
            if answer.status == 200:
                return True
            assert answer.status == 503 and answer.code == "overloaded", answer
            refused += 1
        return False

    results = await asyncio.gather(*(one(email) for email in emails))
    return sum(results), refused


async def test_a_sign_up_refused_in_a_storm_leaves_the_address_free(
    platform: str, mailbox: Mailbox, pool: asyncpg.Pool, legacy_hash: tuple[str, float]
) -> None:
    stored, check_s = legacy_hash
    emails = await legacy_producers(pool, stored, burst_size(check_s))
    addresses = [new_email() for _ in range(5)]
    async with client(platform, len(emails) + 2) as api:
        crowd = asyncio.ensure_future(press(api, emails, seconds=4.0))
        sign_ups = []
        for address in addresses:
            # Sign-ups arriving while the crowd holds every hashing turn: they need one too.
            await asyncio.sleep(0.5)
            sign_ups.append(await sign_up(api, address))
        signed_in, refused = await crowd
        assert signed_in and refused

        statuses = [r.status_code for r in sign_ups]
        assert set(statuses) <= {201, 503}, statuses
        assert 503 in statuses, "no sign-up was refused in the storm"
        for address, response in zip(addresses, sign_ups, strict=True):
            if response.status_code != 503:
                continue
            assert response.json()["error"]["code"] == "overloaded"
            assert int(response.headers["retry-after"]) >= 1
            # Refused before anything was written: signing up again creates the account (its
            # confirmation link arrives, not a "someone used your address" warning).
            assert mailbox.count(address) == 0
            assert (await sign_up(api, address)).status_code == 201
            assert mailbox.wait_for(address, "confirm")
