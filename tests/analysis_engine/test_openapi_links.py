"""The engine's OpenAPI links: each points at a real operation and fills what it takes."""

from __future__ import annotations

import re
from typing import Any

from analysis_engine.app import create_app
from sp404.core.settings import Settings


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        operation["operationId"]: (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_every_link_targets_an_operation_and_fills_only_its_path_ids(settings: Settings) -> None:
    document = create_app(settings).openapi()
    operations = _operations(document)
    links = [
        link
        for path_item in document["paths"].values()
        for operation in path_item.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) > 40
    for link in links:
        _, path = operations[link["operationId"]]
        for parameter in link.get("parameters", {}):
            assert "{" + parameter.removeprefix("path.") + "}" in path
        assert link.get("parameters") or link.get("requestBody")


def test_an_uploaded_sample_leads_to_reading_it_and_putting_it_on_a_pad(
    settings: Settings,
) -> None:
    document = create_app(settings).openapi()
    links = document["paths"]["/api/samples"]["post"]["responses"]["201"]["links"]
    by_operation = _operations(document)
    targets = {by_operation[link["operationId"]] for link in links.values()}
    assert ("get", "/api/samples/{sample_id}") in targets
    pad = next(
        link for link in links.values() if by_operation[link["operationId"]][1].endswith("/pads")
    )
    assert pad["requestBody"]["sample_id"] == "$response.body#/sample_id"
    assert all(
        re.fullmatch(r"path\.\w+", name)
        for link in links.values()
        for name in link.get("parameters", {})
    )
