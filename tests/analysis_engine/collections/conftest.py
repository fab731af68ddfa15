"""Producers with collections: users signed up through the platform, samples put straight into
the database (as the producer, through row-level security) so each test picks exact values."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sp404.core.settings import Settings
from tests.analysis_engine.collections.database import Database
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up


@pytest.fixture
def collector(api: httpx.Client, mailbox: Mailbox) -> Producer:
    """A signed-in Free producer."""
    return signed_up(api, mailbox)


def new_producer(platform_url: str, mailbox: Mailbox) -> Producer:
    """A producer signed up from an address of its own (for fixtures wider than one test)."""
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    with httpx.Client(
        base_url=platform_url, auth=as_gateway(), headers={"X-Client-IP": ip}, timeout=20
    ) as api:
        return signed_up(api, mailbox)


@pytest.fixture(scope="module")
def shared_producer(platform_url: str, mailbox: Mailbox) -> Producer:
    """A Free producer shared by one module's table tests, each of which leaves no trace."""
    return new_producer(platform_url, mailbox)


@pytest.fixture(scope="module")
def shared_client(engine_url: str, shared_producer: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `shared_producer`."""
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=shared_producer.auth, timeout=30
    ) as http:
        yield http


@pytest.fixture
def client(engine_url: str, collector: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `collector`."""
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=collector.auth, timeout=30
    ) as http:
        yield http


@pytest.fixture(scope="session")
def db(migrated_db: Settings) -> Iterator[Database]:
    """The test database, usable from synchronous tests."""
    database = Database(migrated_db)
    yield database
    database.close()


def create(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    """Create a collection through the API and return it, failing loudly otherwise."""
    response = client.post("/api/collections", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def member_ids(client: httpx.Client, collection_id: str) -> list[str]:
    """The ids of a collection's samples, first page, in order."""
    response = client.get(f"/api/collections/{collection_id}", params={"limit": 200})
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["samples"]]
