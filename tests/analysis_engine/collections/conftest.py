"""Producers with collections: users signed up through the platform, samples put straight into
the database (as the producer, through row-level security) so each test picks exact values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sp404.core.settings import Settings
from tests.analysis_engine.collections.database import Database
from tests.stack import Mailbox, Producer, engine_as, signed_up


@pytest.fixture
def collector(api: httpx.Client, mailbox: Mailbox) -> Producer:
    """A signed-in Free producer."""
    return signed_up(api, mailbox)


@pytest.fixture
def client(engine_url: str, collector: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `collector`."""
    with engine_as(engine_url, collector) as http:
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
