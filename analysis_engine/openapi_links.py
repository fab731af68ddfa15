"""OpenAPI links: which response gives the id that other operations take.

A client (or a fuzzer's stateful phase) reads them to chain calls: upload a sample, then read,
change, stream or delete that sample. Each source response names the ids it holds; every
operation with a path parameter of that name becomes a target, and a few operations also take
the id in their body.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

# (method, path, status) -> path parameter name -> where the id sits in the response body.
_SOURCES: dict[tuple[str, str, str], dict[str, str]] = {
    ("post", "/api/samples", "201"): {"sample_id": "/sample_id", "job_id": "/job_id"},
    ("get", "/api/samples", "200"): {"sample_id": "/samples/0/id"},
    ("post", "/api/samples/uploads", "201"): {"upload_id": "/upload_id"},
    ("post", "/api/samples/uploads/{upload_id}/complete", "201"): {
        "sample_id": "/sample_id",
        "job_id": "/job_id",
    },
    ("post", "/api/samples/batch", "202"): {"import_id": "/import_id", "job_id": "/job_id"},
    ("get", "/api/samples/batch", "200"): {"import_id": "/imports/0/import_id"},
    ("post", "/api/samples/{sample_id}/reanalyze", "202"): {"job_id": "/job_id"},
    ("get", "/api/jobs", "200"): {"job_id": "/jobs/0/id"},
    ("post", "/api/collections", "201"): {"collection_id": "/id"},
    ("get", "/api/collections", "200"): {"collection_id": "/collections/0/id"},
    ("post", "/api/kits", "201"): {"kit_id": "/id"},
    ("post", "/api/kits/auto", "201"): {"kit_id": "/id"},
    ("get", "/api/kits", "200"): {"kit_id": "/kits/0/id"},
    ("post", "/api/exports", "202"): {"export_id": "/id"},
    ("get", "/api/exports", "200"): {"export_id": "/exports/0/id"},
}

# Operations that take a new sample in their body: (method, path) -> body with the id in it.
_SAMPLE_IN_BODY: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/collections/{collection_id}/samples"): {"sample_ids": ["{}"]},
    ("put", "/api/kits/{kit_id}/pads"): {"bank": "A", "pad": 1, "sample_id": "{}"},
    ("post", "/api/kits/{kit_id}/complete"): {"sample_id": "{}"},
    ("post", "/api/exports"): {"kind": "samples", "sample_ids": ["{}"]},
}

_PARAMETER = re.compile(r"{([a-z_]+)}")


def _links(document: dict[str, Any], source: tuple[str, str, str]) -> dict[str, Any]:
    method, path, _ = source
    given = {name: f"$response.body#{pointer}" for name, pointer in _SOURCES[source].items()}
    links: dict[str, Any] = {}
    for target_path, operations in document["paths"].items():
        taken = set(_PARAMETER.findall(target_path))
        parameters = {f"path.{name}": given[name] for name in sorted(taken & set(given))}
        for target_method, operation in operations.items():
            if (target_method, target_path) == (method, path):
                continue
            body = (
                _SAMPLE_IN_BODY.get((target_method, target_path)) if "sample_id" in given else None
            )
            if not parameters and body is None:
                continue
            link: dict[str, Any] = {"operationId": operation["operationId"]}
            if parameters:
                link["parameters"] = parameters
            if body is not None:
                link["requestBody"] = _filled(body, given["sample_id"])
            links[operation["operationId"]] = link
    return links


def _filled(template: Any, expression: str) -> Any:
    if isinstance(template, dict):
        return {key: _filled(value, expression) for key, value in template.items()}
    if isinstance(template, list):
        return [_filled(value, expression) for value in template]
    return expression if template == "{}" else template


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """Add the links of `_SOURCES` to the engine's document (in place) and return it."""
    for source in _SOURCES:
        method, path, status = source
        response = document["paths"][path][method]["responses"].setdefault(
            status, {"description": "Successful Response"}
        )
        response["links"] = _links(document, source)
    return document


def describe_links(app: FastAPI) -> None:
    """Make `app.openapi()` carry the links between the engine's operations."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
