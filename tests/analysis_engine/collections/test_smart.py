"""Smart collections: their samples are whatever meets the rules now, so edits move samples in
and out without anyone touching the collection."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.analysis_engine.collections.conftest import create, member_ids
from tests.analysis_engine.collections.database import Database
from tests.stack import Producer


def test_a_smart_collection_follows_edits_to_bpm_genre_and_tags(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    user = collector.user_id
    boom = db.add_sample(user, "Boom", bpm=90.0, genre="Boom Bap", tags=["drums", "dusty"])
    fast = db.add_sample(user, "Fast", bpm=140.0, genre="Boom Bap", tags=["drums"])
    jazz = db.add_sample(user, "Jazz", bpm=92.0, genre="Jazz", tags=["keys"])
    smart = create(
        client,
        "Slow boom bap drums",
        smart_rules={"genres": ["boom bap"], "bpm_min": 80, "bpm_max": 100, "tags_all": ["drums"]},
    )
    assert smart["is_smart"] is True and smart["sample_count"] == 1
    assert member_ids(client, smart["id"]) == [boom]

    db.execute(user, "update app.samples set bpm = 95 where id = $1::uuid", fast)
    db.execute(user, "update app.samples set genre = 'BOOM BAP' where id = $1::uuid", jazz)
    db.execute(user, "update app.samples set tags = '{keys,drums}' where id = $1::uuid", jazz)
    db.execute(user, "update app.samples set tags = '{dusty}' where id = $1::uuid", boom)
    assert sorted(member_ids(client, smart["id"])) == sorted([fast, jazz])
    listed = client.get("/api/collections").json()["collections"]
    assert listed[0]["sample_count"] == 2


def test_changing_the_rules_changes_the_members(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    loop = db.add_sample(collector.user_id, "Loop", is_loop=True)
    shot = db.add_sample(collector.user_id, "Shot", is_loop=False)
    smart = create(client, "Loops", smart_rules={"loop": True})
    assert member_ids(client, smart["id"]) == [loop]
    changed = client.patch(f"/api/collections/{smart['id']}", json={"smart_rules": {"loop": False}})
    assert changed.status_code == 200 and changed.json()["sample_count"] == 1
    assert member_ids(client, smart["id"]) == [shot]
    assert client.get(f"/api/collections/{smart['id']}").json()["smart_rules"] == {"loop": False}


def test_samples_cannot_be_added_to_or_removed_from_a_smart_collection(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    loop = db.add_sample(collector.user_id, "Loop", is_loop=True)
    smart = create(client, "Loops", smart_rules={"loop": True})
    added = client.post(f"/api/collections/{smart['id']}/samples", json={"sample_ids": [loop]})
    assert added.status_code == 422
    assert added.json()["error"]["code"] == "smart_collection"
    removed = client.delete(f"/api/collections/{smart['id']}/samples/{loop}")
    assert removed.status_code == 422


def test_a_collection_with_samples_must_be_emptied_before_it_gets_rules(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    kick = db.add_sample(collector.user_id, "Kick", is_loop=False)
    drums = create(client, "Drums")
    client.post(f"/api/collections/{drums['id']}/samples", json={"sample_ids": [kick]})
    refused = client.patch(f"/api/collections/{drums['id']}", json={"smart_rules": {"loop": True}})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "collection_not_empty"
    client.delete(f"/api/collections/{drums['id']}/samples/{kick}")
    made_smart = client.patch(
        f"/api/collections/{drums['id']}", json={"smart_rules": {"loop": False}}
    )
    assert made_smart.status_code == 200 and made_smart.json()["is_smart"] is True
    assert member_ids(client, drums["id"]) == [kick]
    plain = client.patch(f"/api/collections/{drums['id']}", json={"smart_rules": None})
    assert plain.json()["is_smart"] is False and member_ids(client, drums["id"]) == []


# Each rule on its own, against one library: which titles it selects.
RULE_MATRIX = [
    ({"genres": ["Jazz", "soul"]}, {"Rhodes", "Horns"}),
    ({"bpm_min": 100}, {"Break", "Horns"}),
    ({"bpm_max": 95}, {"Rhodes", "Kick"}),
    ({"bpm_min": 44, "bpm_max": 46}, set()),
    ({"bpm_min": 44, "bpm_max": 46, "half_double": True}, {"Rhodes"}),
    ({"bpm_min": 200, "bpm_max": 220, "half_double": True}, {"Break", "Horns"}),
    ({"keys": ["A minor"]}, {"Rhodes"}),
    ({"keys": ["Db major"]}, {"Horns"}),
    ({"tags_any": ["Drums", "brass"]}, {"Break", "Kick", "Horns"}),
    ({"tags_all": ["drums", "vinyl"]}, {"Break"}),
    ({"min_confidence": 0.8}, {"Rhodes"}),
    ({"bpm_min": 100, "min_confidence": 0.5}, {"Break", "Horns"}),
    ({"keys": ["C# major"], "min_confidence": 0.5}, set()),
    # Bounds at the edge of what a double holds are read, not refused with a 500 (5e-324 halved
    # is an underflow in PostgreSQL).
    ({"bpm_min": 5e-324, "bpm_max": 95, "half_double": True}, {"Rhodes", "Break", "Kick", "Horns"}),
    ({"bpm_min": 5e-324, "bpm_max": 95}, {"Rhodes", "Kick"}),
    ({"min_confidence": 5e-324}, {"Rhodes", "Break", "Horns"}),
    ({"loop": True}, {"Rhodes", "Break"}),
    ({"loop": False}, {"Kick"}),
    ({"text": "hor"}, {"Horns"}),
    ({"text": "vinyl"}, {"Break"}),
    ({"text": "100%"}, set()),
]


@pytest.fixture(scope="module")
def library(db: Database, shared_producer: Producer) -> dict[str, str]:
    """One Pro producer's library that every row of the matrix reads: {sample id: title}."""
    user = shared_producer.user_id
    # Pro, so one collection per row never meets the Free plan's limit.
    db.set_tier(user, "pro")
    samples: list[dict[str, Any]] = [
        dict(
            title="Rhodes",
            genre="Jazz",
            bpm=90.0,
            musical_key="A minor",
            tags=["keys"],
            is_loop=True,
            tempo_confidence=0.9,
            key_confidence=0.95,
        ),
        dict(
            title="Break",
            genre="Boom Bap",
            bpm=100.0,
            tags=["drums", "vinyl"],
            is_loop=True,
            tempo_confidence=0.7,
            key_confidence=0.1,
        ),
        dict(title="Kick", bpm=95.0, tags=["drums"], is_loop=False),
        dict(
            title="Horns",
            genre="Soul",
            bpm=110.0,
            musical_key="C# major",
            tags=["brass"],
            tempo_confidence=0.6,
            key_confidence=0.4,
        ),
        dict(title="Unanalysed"),
    ]
    return {db.add_sample(user, **fields): str(fields["title"]) for fields in samples}


@pytest.mark.parametrize(("rules", "titles"), RULE_MATRIX)
def test_each_rule_selects_what_it_says(
    shared_client: httpx.Client,
    library: dict[str, str],
    rules: dict[str, Any],
    titles: set[str],
) -> None:
    smart = create(shared_client, f"Matrix {uuid.uuid4().hex[:8]}", smart_rules=rules)
    assert {library[i] for i in member_ids(shared_client, smart["id"])} == titles
    assert smart["sample_count"] == len(titles)
    shared_client.delete(f"/api/collections/{smart['id']}")
