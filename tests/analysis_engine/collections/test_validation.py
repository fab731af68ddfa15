"""Bad input is refused with 422 in the shared error shape and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.analysis_engine.collections.conftest import create


@pytest.fixture(scope="module")
def drums(shared_client: httpx.Client) -> dict[str, Any]:
    """The shared producer's one collection, which no test here may change."""
    return create(shared_client, "Drums")


BAD_CREATES = [
    {"name": ""},
    {"name": "   "},
    {"name": "x" * 101},
    {"name": "Drums", "description": "x" * 1001},
    {"name": "Drums", "colour": "red"},
    {"name": "Drums", "parent_id": "not-a-uuid"},
    {"name": "Smart", "smart_rules": {}},
    {"name": "Smart", "smart_rules": {"bpm_min": 120, "bpm_max": 90}},
    {"name": "Smart", "smart_rules": {"bpm_min": -1}},
    {"name": "Smart", "smart_rules": {"mood": "dark"}},
    {"name": "Smart", "smart_rules": {"keys": ["H minor"]}},
    {"name": "Smart", "smart_rules": {"keys": ["A dorian"]}},
    {"name": "Smart", "smart_rules": {"min_confidence": 1.5}},
    {"name": "Smart", "smart_rules": {"genres": []}},
    {"name": "Smart", "smart_rules": {"tags_any": ["x" * 41]}},
    {"name": "Smart", "smart_rules": {"text": "x" * 101}},
    {"name": "Smart", "smart_rules": {"loop": "sometimes"}},
    {"name": "Smart", "smart_rules": "bpm > 90"},
]


@pytest.mark.parametrize("body", BAD_CREATES)
def test_a_bad_collection_is_refused_with_422(
    shared_client: httpx.Client, drums: dict[str, Any], body: dict[str, Any]
) -> None:
    response = shared_client.post("/api/collections", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert shared_client.get("/api/collections").json()["total"] == 1


BAD_UPDATES = [
    {"name": None},
    {"name": "x" * 101},
    {"smart_rules": {"bpm_min": 130, "bpm_max": 120}},
    {"smart_rules": {"unknown": True}},
    {"owner": "someone"},
]


@pytest.mark.parametrize("body", BAD_UPDATES)
def test_a_bad_change_is_refused_with_422(
    shared_client: httpx.Client, drums: dict[str, Any], body: dict[str, Any]
) -> None:
    response = shared_client.patch(f"/api/collections/{drums['id']}", json=body)
    assert response.status_code == 422, response.text
    unchanged = shared_client.get(f"/api/collections/{drums['id']}").json()
    assert unchanged["name"] == "Drums" and unchanged["is_smart"] is False


def test_a_bad_sample_list_is_refused_with_422(
    shared_client: httpx.Client, drums: dict[str, Any]
) -> None:
    client = shared_client
    for body in ({"sample_ids": ["nope"]}, {"sample_ids": "x"}, {}, {"sample_ids": [], "x": 1}):
        response = client.post(f"/api/collections/{drums['id']}/samples", json=body)
        assert response.status_code == 422, body
    too_many = {"sample_ids": [f"00000000-0000-0000-0000-{i:012d}" for i in range(501)]}
    assert client.post(f"/api/collections/{drums['id']}/samples", json=too_many).status_code == 422


def test_paging_out_of_bounds_is_refused(shared_client: httpx.Client) -> None:
    client = shared_client
    assert client.get("/api/collections", params={"limit": 0}).status_code == 422
    assert client.get("/api/collections", params={"limit": 201}).status_code == 422
    assert client.get("/api/collections", params={"offset": -1}).status_code == 422
