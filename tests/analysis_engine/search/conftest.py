"""Producers with libraries for search: signed up through the platform, samples seeded straight
into the database so each test knows the order to expect."""

from __future__ import annotations

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
