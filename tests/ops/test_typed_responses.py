"""Every route of the engine and the platform states what it answers: a JSON body's shape down to
its last field, or, for files and streams, the media types it sends. A free-form body would let
the fuzzer's "no response outside its schema" check pass whatever the route returned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scripts.generate_api_types import openapi_documents

AUDIO = {"audio/wav", "audio/aiff", "audio/flac", "audio/ogg", "audio/mpeg"}
# Routes that send files or streams, with the media types they declare instead of a JSON body.
FILE_ROUTES: dict[tuple[str, str], set[str]] = {
    ("get", "/api/samples/{sample_id}/download"): AUDIO,
    ("get", "/api/samples/{sample_id}/stream"): AUDIO,
    ("get", "/api/jobs/events"): {"text/event-stream"},
    ("get", "/api/exports/{export_id}/download"): {"application/zip"},
    ("get", "/api/account/avatar"): {"image/jpeg", "image/png", "image/webp"},
    ("get", "/api/account/exports/{export_id}/download"): {"application/zip"},
}
# Documents the database stores and passes on, whose later keys a response must not refuse:
# their fields are stated, and further ones allowed.
OPEN_MODELS = {"AudioFeaturesView", "VibeView"}
# Keys that describe a schema without constraining it.
ANNOTATIONS = {"title", "description", "default", "examples", "deprecated", "readOnly"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Both services' documents as the web app's types are generated from them."""
    return openapi_documents(tmp_path_factory.mktemp("scratch"))


@pytest.fixture(scope="module")
def engine_doc(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return documents["engine"]


@pytest.fixture(scope="module", params=["engine", "platform"])
def service_doc(request: pytest.FixtureRequest, documents: dict[str, dict[str, Any]]) -> Any:
    return documents[request.param]


def answers(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, status, response) of each engine operation's 2xx answer with a body."""
    for path, operations in document["paths"].items():
        if not path.startswith(("/api/", "/healthz", "/readyz")):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("2") and status != "204":
                    yield method, path, status, response


def free_form(schema: dict[str, Any]) -> bool:
    """Whether a schema lets anything through: `{}`, or an object with no properties whose
    other keys are unconstrained."""
    constraints = {key for key in schema if key not in ANNOTATIONS}
    if not constraints:
        return True
    extra = schema.get("additionalProperties", True)
    return schema.get("type") == "object" and not schema.get("properties") and extra is True


def vague_parts(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: set[str]
) -> Iterator[str]:
    """Where a schema, or any schema inside it, is free-form or open without being allowed to."""
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from vague_parts(document, document["components"]["schemas"][name], name, seen)
        return
    if free_form(schema):
        yield where
        return
    if schema.get("additionalProperties") is True and where not in OPEN_MODELS:
        yield f"{where} (open)"
    for name, field in schema.get("properties", {}).items():
        yield from vague_parts(document, field, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from vague_parts(document, schema[key], f"{where}[]", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            yield from vague_parts(document, branch, where, seen)


@pytest.mark.parametrize(
    ("schema", "vague"),
    [
        ({}, True),
        ({"title": "Response Get Sample"}, True),
        ({"type": "object"}, True),
        ({"type": "object", "additionalProperties": True}, True),
        ({"type": "object", "additionalProperties": {"type": "string"}}, False),
        ({"type": "object", "properties": {"id": {"type": "string"}}}, False),
        ({"type": "string"}, False),
        ({"anyOf": [{"type": "number"}, {"type": "null"}]}, False),
    ],
)
def test_a_schema_that_lets_anything_through_is_told_apart(
    schema: dict[str, Any], vague: bool
) -> None:
    assert free_form(schema) is vague


def test_every_route_states_the_json_it_answers(service_doc: dict[str, Any]) -> None:
    vague = []
    for method, path, status, response in answers(service_doc):
        if (method, path) in FILE_ROUTES:
            continue
        operation = f"{method.upper()} {path} {status}"
        content = response.get("content", {})
        if set(content) != {"application/json"}:
            vague.append(f"{operation}: answers {sorted(content) or 'nothing'}")
            continue
        schema = content["application/json"].get("schema", {})
        vague += [
            f"{operation}: {part}" for part in vague_parts(service_doc, schema, "body", set())
        ]
    assert not vague, "answers without a stated shape:\n" + "\n".join(vague)


def test_every_json_body_is_a_named_model(service_doc: dict[str, Any]) -> None:
    # Named, so that the web app's generated types have names too.
    unnamed = []
    for method, path, status, response in answers(service_doc):
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None and not all("$ref" in b for b in schema.get("anyOf", [schema])):
            unnamed.append(f"{method.upper()} {path} {status}")
    assert not unnamed, f"bodies without a named response model: {unnamed}"


@pytest.mark.parametrize(("method", "path"), sorted(FILE_ROUTES))
def test_file_and_stream_routes_declare_their_media_types(
    documents: dict[str, dict[str, Any]], method: str, path: str
) -> None:
    service = "platform" if path.startswith("/api/account/") else "engine"
    operation = documents[service]["paths"][path][method]
    for status, response in operation["responses"].items():
        if not status.startswith("2"):
            continue
        media_types = set(response.get("content", {}))
        assert media_types == FILE_ROUTES[(method, path)], (status, media_types)
        for media_type, body in response["content"].items():
            if media_type == "text/event-stream":
                # One event, as a fuzzer reads it: its data is JSON of a stated shape.
                data = body["schema"]["properties"]["data"]
                assert data["contentMediaType"] == "application/json"
                document = documents[service]
                assert not list(vague_parts(document, data["contentSchema"], "data", set()))
            else:
                assert body["schema"] == {"type": "string", "format": "binary"}


def test_the_file_routes_listed_are_all_there_are(documents: dict[str, dict[str, Any]]) -> None:
    json_free = {
        (method, path)
        for document in documents.values()
        for method, path, _, response in answers(document)
        if "application/json" not in response.get("content", {})
    }
    assert json_free == set(FILE_ROUTES)
