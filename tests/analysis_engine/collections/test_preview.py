"""Trying smart rules out before saving them: POST /api/collections/preview answers what a smart
collection with those rules would hold now, and creates nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.analysis_engine.collections.conftest import create
from tests.analysis_engine.collections.database import Database
from tests.stack import Mailbox, Producer, signed_up


def preview(client: httpx.Client, rules: dict[str, Any], **params: Any) -> dict[str, Any]:
    """The preview answer, failing loudly on anything but 200."""
    response = client.post("/api/collections/preview", json={"smart_rules": rules}, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [sample["id"] for sample in body["samples"]]


def test_the_preview_is_exactly_what_the_saved_collection_holds(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    user = collector.user_id
    for i, bpm in enumerate([84.0, 88.0, 91.0, 96.0, 120.0]):
        db.add_sample(user, f"Loop {i}", bpm=bpm, is_loop=True, musical_key="C# minor")
    db.add_sample(user, "Shot", bpm=90.0, is_loop=False, musical_key="C# minor")
    rules = {"bpm_min": 85, "bpm_max": 100, "loop": True, "keys": ["Db minor"]}

    shown = preview(client, rules)
    saved = create(client, "Loops 85-100", smart_rules=rules)
    listed = client.get(f"/api/collections/{saved['id']}").json()

    assert shown["total"] == saved["sample_count"] == listed["total"] == 3
    assert ids(shown) == [s["id"] for s in listed["samples"]]
    assert shown["samples"] == listed["samples"]  # the same fields, the same values
    assert {s["title"] for s in shown["samples"]} == {"Loop 1", "Loop 2", "Loop 3"}
    assert shown["smart_rules"] == saved["smart_rules"]


def test_the_least_confidence_rule_applies_in_the_preview(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    user = collector.user_id
    sure = db.add_sample(user, "Sure", bpm=90.0, tempo_confidence=0.9, key_confidence=0.2)
    db.add_sample(user, "Unsure", bpm=91.0, tempo_confidence=0.3, key_confidence=0.9)
    db.add_sample(user, "Unknown", bpm=92.0)

    shown = preview(client, {"bpm_min": 80, "min_confidence": 0.6})

    assert ids(shown) == [sure]
    assert shown["samples"][0]["tempo_confidence"] == pytest.approx(0.9)


def test_the_preview_pages_with_a_total(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    made = [db.add_sample(collector.user_id, f"Hat {i}", tags=["hats"]) for i in range(5)]

    first = preview(client, {"tags_any": ["hats"]}, limit=2)
    rest = preview(client, {"tags_any": ["hats"]}, limit=2, offset=2)
    beyond = preview(client, {"tags_any": ["hats"]}, limit=2, offset=10)

    assert (first["total"], rest["total"], beyond["total"]) == (5, 5, 5)
    assert (first["limit"], first["offset"]) == (2, 0)
    assert len(ids(first)) == 2 and len(ids(rest)) == 2 and ids(beyond) == []
    assert set(ids(first)) | set(ids(rest)) < set(made)
    assert not set(ids(first)) & set(ids(rest))


def test_a_preview_never_shows_another_producers_samples(
    client: httpx.Client, collector: Producer, db: Database, api: httpx.Client, mailbox: Mailbox
) -> None:
    rival = signed_up(api, mailbox)
    db.add_sample(rival.user_id, "Their secret loop", bpm=90.0, is_loop=True, tags=["secret"])
    mine = db.add_sample(collector.user_id, "My loop", bpm=90.0, is_loop=True)

    assert ids(preview(client, {"loop": True})) == [mine]
    assert preview(client, {"tags_any": ["secret"]})["total"] == 0
    assert preview(client, {"text": "secret"})["samples"] == []


def test_a_preview_creates_nothing_and_works_with_the_plan_limit_reached(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    loop = db.add_sample(collector.user_id, "Loop", is_loop=True)
    for i in range(5):
        create(client, f"C{i}")
    before = client.get("/api/collections").json()
    assert before["quota"] == {"used": 5, "limit": 5}

    for _ in range(3):
        assert ids(preview(client, {"loop": True})) == [loop]

    after = client.get("/api/collections").json()
    assert after["quota"] == {"used": 5, "limit": 5}
    assert [c["id"] for c in after["collections"]] == [c["id"] for c in before["collections"]]
    assert client.post("/api/collections", json={"name": "C6"}).status_code == 429


@pytest.mark.parametrize(
    "rules",
    [
        {},
        {"bpm_min": 120, "bpm_max": 90},
        {"keys": ["H minor"]},
        {"min_confidence": 2},
        {"loop": True, "sql": "drop table"},
        {"tags_any": []},
    ],
)
def test_rules_a_smart_collection_refuses_are_refused_by_the_preview_too(
    shared_client: httpx.Client, rules: dict[str, Any]
) -> None:
    refused = shared_client.post("/api/collections/preview", json={"smart_rules": rules})
    not_created = shared_client.post("/api/collections", json={"name": "Bad", "smart_rules": rules})

    assert refused.status_code == not_created.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    "body", [{}, {"smart_rules": None}, {"smart_rules": {"loop": True}, "name": "not here"}]
)
def test_a_preview_needs_rules_and_nothing_else(
    shared_client: httpx.Client, body: dict[str, Any]
) -> None:
    refused = shared_client.post("/api/collections/preview", json=body)

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "validation_error"


def test_paging_out_of_bounds_is_refused(shared_client: httpx.Client) -> None:
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}):
        answer = shared_client.post(
            "/api/collections/preview", json={"smart_rules": {"loop": True}}, params=params
        )
        assert answer.status_code == 422
