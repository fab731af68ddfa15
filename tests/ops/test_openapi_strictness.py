"""The OpenAPI documents state the rules the services apply, so a client generated from them
learns what will be refused; and text PostgreSQL cannot store is refused with 422, not a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.gateway_signing import as_gateway
from tests.stack import Producer

NUL_TEXT = "Dusty\x00Loops"


@pytest.fixture(scope="module")
def platform_doc(platform_url: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(
        f"{platform_url}/openapi.json", auth=as_gateway(), timeout=20
    ).json()
    return document


@pytest.fixture(scope="module")
def engine_doc(engine_url: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(
        f"{engine_url}/openapi.json", auth=as_gateway(), timeout=20
    ).json()
    return document


@pytest.fixture
def producer_client(engine: httpx.Client, account: Producer) -> Iterator[httpx.Client]:
    """The engine client, signed in."""
    engine.headers.update(account.auth)
    yield engine


def model(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def query_parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    for parameter in document["paths"][path]["get"]["parameters"]:
        if parameter["name"] == name:
            schema: dict[str, Any] = parameter["schema"]
            return schema
    raise KeyError(name)


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional parameter's schema."""
    branches = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(branches) == 1, schema
    return branches[0]


def test_a_new_password_states_the_lengths_the_service_checks(
    platform_doc: dict[str, Any], api: httpx.Client
) -> None:
    for name, field in (
        ("RegisterIn", "password"),
        ("PasswordResetIn", "password"),
        ("PasswordChangeIn", "new_password"),
    ):
        password = model(platform_doc, name)["properties"][field]
        assert (password["minLength"], password["maxLength"]) == (8, 1024), name
    # Signing in takes whatever password an account has, so the old app's shorter ones still work.
    assert model(platform_doc, "LoginIn")["properties"]["password"]["minLength"] == 1
    short = api.post(
        "/api/auth/register",
        json={"email": "short@example.com", "password": "7 chars", "first_name": "D"}
        | {"last_name": "L"},
    )
    assert short.status_code == 422
    assert short.json()["error"] | {"request_id": None} == {
        "code": "weak_password",
        "message": "Use at least 8 characters.",
        "request_id": None,
    }


def test_tempo_bounds_are_published_and_applied(
    engine_doc: dict[str, Any], producer_client: httpx.Client
) -> None:
    kit_bpm = without_null(model(engine_doc, "KitCreate")["properties"]["bpm"])
    assert (kit_bpm["minimum"], kit_bpm["maximum"]) == (40, 300)
    sample_bpm = without_null(model(engine_doc, "SampleUpdate")["properties"]["bpm"])
    assert (sample_bpm["minimum"], sample_bpm["maximum"]) == (20, 400)
    refused = producer_client.post("/api/kits", json={"name": "Too fast", "bpm": 301})
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("bpm:")
    allowed = producer_client.post("/api/kits", json={"name": "Just right", "bpm": 300})
    assert allowed.status_code == 201


@pytest.mark.parametrize(
    ("schema", "choices"),
    [
        ("SamplesExport", [["sample_ids"], ["collection_id"]]),
        ("KitAutoBuild", [["collection_id"], ["prompt"]]),
        ("PadClear", [["pads"], ["bank"], ["all"]]),
    ],
)
def test_either_or_bodies_say_exactly_one_choice(
    engine_doc: dict[str, Any], schema: str, choices: list[list[str]]
) -> None:
    body = model(engine_doc, schema)
    assert [branch["required"] for branch in body["oneOf"]] == choices
    # A null never counts as a choice, so the schema neither offers nor defaults to one.
    for [field] in choices:
        choice = body["properties"][field]
        assert "anyOf" not in choice and choice.get("default", "none given") is not None


def test_giving_both_sources_is_refused_as_the_schema_says(producer_client: httpx.Client) -> None:
    both = producer_client.post(
        "/api/kits/auto",
        json={"name": "Both", "collection_id": "00000000-0000-4000-8000-000000000000"}
        | {"prompt": "dusty drums"},
    )
    assert both.status_code == 422
    assert "give exactly one of collection_id or prompt" in both.json()["error"]["message"]


def test_smart_rules_need_at_least_one_rule_and_say_so(
    engine_doc: dict[str, Any], producer_client: httpx.Client
) -> None:
    rules = model(engine_doc, "SmartRules")
    assert rules["minProperties"] == 1 and rules["additionalProperties"] is False
    assert all("anyOf" not in rule for rule in rules["properties"].values())
    empty = producer_client.post("/api/collections/preview", json={"smart_rules": {}})
    assert empty.status_code == 422
    assert "a smart collection needs at least one rule" in empty.json()["error"]["message"]


def test_a_name_cannot_be_cleared_and_the_schema_offers_no_null(
    engine_doc: dict[str, Any], producer_client: httpx.Client
) -> None:
    for name in ("KitUpdate", "CollectionUpdate"):
        assert model(engine_doc, name)["properties"]["name"]["type"] == "string"
    kit = producer_client.post("/api/kits", json={"name": "Keeps its name"}).json()
    cleared = producer_client.patch(f"/api/kits/{kit['id']}", json={"name": None})
    assert cleared.status_code == 422
    assert producer_client.get(f"/api/kits/{kit['id']}").json()["name"] == "Keeps its name"


def test_list_filters_name_their_allowed_values(
    engine_doc: dict[str, Any], producer_client: httpx.Client
) -> None:
    status = without_null(query_parameter(engine_doc, "/api/samples", "status"))
    assert "ready" in status["enum"] and "deferred" in status["enum"]
    sort = query_parameter(engine_doc, "/api/samples", "sort")
    assert sort["enum"] == ["created_desc", "created_asc", "title", "bpm", "duration"]
    jobs = without_null(query_parameter(engine_doc, "/api/jobs", "status"))
    assert "dead" in jobs["enum"]
    wrong = producer_client.get("/api/samples", params={"sort": "loudest"})
    assert wrong.status_code == 422 and "created_desc" in wrong.json()["error"]["message"]


def test_stored_text_states_that_nul_is_not_allowed(
    engine_doc: dict[str, Any], platform_doc: dict[str, Any]
) -> None:
    patterns = [
        model(engine_doc, "KitCreate")["properties"]["name"]["pattern"],
        model(engine_doc, "CollectionCreate")["properties"]["name"]["pattern"],
        model(engine_doc, "SmartRules")["properties"]["text"]["pattern"],
        without_null(query_parameter(engine_doc, "/api/samples", "genre"))["pattern"],
        model(platform_doc, "RegisterIn")["properties"]["first_name"]["pattern"],
    ]
    assert all(r"[^\x00]" in pattern for pattern in patterns), patterns


ENGINE_NUL_REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/kits", {"json": {"name": NUL_TEXT}}),
    ("POST", "/api/kits", {"json": {"name": "Kit", "description": NUL_TEXT}}),
    ("POST", "/api/collections", {"json": {"name": NUL_TEXT}}),
    ("POST", "/api/collections/preview", {"json": {"smart_rules": {"text": NUL_TEXT}}}),
    ("POST", "/api/collections/preview", {"json": {"smart_rules": {"tags_any": [NUL_TEXT]}}}),
    ("GET", "/api/samples", {"params": {"q": NUL_TEXT}}),
    ("GET", "/api/samples", {"params": {"genre": NUL_TEXT}}),
    ("GET", "/api/samples", {"params": {"tags": NUL_TEXT}}),
    ("POST", "/api/samples/uploads", {"json": {"filename": "a.wav", "size": 9, "title": NUL_TEXT}}),
]


@pytest.mark.parametrize(("method", "path", "request_args"), ENGINE_NUL_REQUESTS)
def test_a_nul_character_in_library_text_is_refused_with_422(
    producer_client: httpx.Client, method: str, path: str, request_args: dict[str, Any]
) -> None:
    response = producer_client.request(method, path, **request_args)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_a_nul_character_in_a_profile_name_is_refused_with_422(
    api: httpx.Client, account: Producer
) -> None:
    response = api.patch(
        "/api/account/profile", json={"first_name": NUL_TEXT}, headers=account.auth
    )
    assert response.status_code == 422, response.text
    profile = api.get("/api/account/profile", headers=account.auth).json()
    assert profile["first_name"] == "Dee"
