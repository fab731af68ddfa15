"""Producers with libraries for search: signed up through the platform, samples seeded straight
into the database so each test knows the order to expect."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest

from sp404.core.settings import Settings
from tests.analysis_engine.search.seed import Seeder
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up


@pytest.fixture(scope="session")
def seeder(migrated_db: Settings) -> Iterator[Seeder]:
    """Writes samples, features and vibes into the test database as their owner."""
    seeding = Seeder(migrated_db)
    yield seeding
    seeding.close()


def new_producer(platform_url: str, mailbox: Mailbox) -> Producer:
    """A producer signed up from an address of its own (for fixtures wider than one test)."""
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    with httpx.Client(
        base_url=platform_url, auth=as_gateway(), headers={"X-Client-IP": ip}, timeout=20
    ) as api:
        return signed_up(api, mailbox)


@pytest.fixture(scope="module")
def shared_producer(platform_url: str, mailbox: Mailbox) -> Producer:
    """A producer shared by one module's read-only tests."""
    return new_producer(platform_url, mailbox)


@pytest.fixture(scope="module")
def shared_client(engine_url: str, shared_producer: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `shared_producer`."""
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=shared_producer.auth, timeout=30
    ) as http:
        yield http


@pytest.fixture
def rival(api: httpx.Client, mailbox: Mailbox) -> Producer:
    """A second producer, whose library the first must never see."""
    return signed_up(api, mailbox)


@pytest.fixture
def client(engine_url: str, account: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `account`."""
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=account.auth, timeout=30
    ) as http:
        yield http
