"""The Free plan's five collections: warned near the limit, refused at it, never overshot."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.analysis_engine.collections.conftest import create
from tests.analysis_engine.collections.database import Database
from tests.stack import Producer


def test_a_free_producer_is_warned_at_four_and_refused_at_six(client: httpx.Client) -> None:
    made = [client.post("/api/collections", json={"name": f"C{i}"}) for i in range(1, 6)]
    assert [r.status_code for r in made] == [201] * 5
    assert [("X-Quota-Warning" in r.headers) for r in made] == [False] * 3 + [True] * 2
    assert "4 of 5" in made[3].headers["X-Quota-Warning"]

    refused = client.post("/api/collections", json={"name": "C6"})
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "quota_exceeded" and error["quota"] == "collections"
    assert "Collections: 5 of 5 used on the Free plan" in error["message"]
    # No time lifts it (deleting one does, below): no Retry-After for a client to wait out.
    assert "Retry-After" not in refused.headers

    listing = client.get("/api/collections")
    assert listing.json()["quota"] == {"used": 5, "limit": 5}
    assert "5 of 5" in listing.headers["X-Quota-Warning"]

    assert client.delete(f"/api/collections/{made[0].json()['id']}").status_code == 204
    assert client.post("/api/collections", json={"name": "C6"}).status_code == 201


def test_twenty_parallel_creates_never_pass_the_free_limit(client: httpx.Client) -> None:
    start = threading.Barrier(20)

    def attempt(i: int) -> int:
        start.wait()
        return client.post("/api/collections", json={"name": f"Race {i}"}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, range(20)))
    assert statuses.count(201) == 5 and statuses.count(429) == 15
    assert client.get("/api/collections").json()["total"] == 5


def test_sub_collections_count_towards_the_limit(client: httpx.Client) -> None:
    parent = create(client, "Parent")
    for i in range(4):
        create(client, f"Child {i}", parent_id=parent["id"])
    nested = client.post("/api/collections", json={"name": "One more", "parent_id": parent["id"]})
    assert nested.status_code == 429


def test_a_pro_producer_has_no_collection_limit_and_no_warning(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    db.set_tier(collector.user_id, "pro")
    made = [client.post("/api/collections", json={"name": f"C{i}"}) for i in range(7)]
    assert [r.status_code for r in made] == [201] * 7
    assert not any("X-Quota-Warning" in r.headers for r in made)
    assert client.get("/api/collections").json()["quota"] == {"used": 7, "limit": None}
