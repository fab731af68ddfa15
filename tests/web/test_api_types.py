"""The web app's API types are generated from the services' OpenAPI documents and kept current."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from scripts.generate_api_types import GENERATED, generate, openapi_documents


@pytest.fixture(scope="module")
def platform_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        return openapi_documents(Path(scratch))["platform"]


def test_the_committed_api_types_match_the_services_openapi_documents(tmp_path: Path) -> None:
    fresh = {path.name: path.read_text(encoding="utf-8") for path in generate(tmp_path)}
    committed = {
        path.name: path.read_text(encoding="utf-8") for path in sorted(GENERATED.glob("*.ts"))
    }
    stale = sorted(name for name in fresh.keys() | committed.keys()
                   if fresh.get(name) != committed.get(name))  # fmt: skip
    assert not stale, (
        f"web/src/api/generated/{', '.join(stale)} out of date: "
        "run .venv/bin/python -m scripts.generate_api_types"
    )


def test_every_platform_route_states_what_it_answers(platform_document: dict[str, Any]) -> None:
    vague = []
    for path, operations in platform_document["paths"].items():
        if not path.startswith(("/api/", "/.well-known/")):
            continue
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                schemas = [body.get("schema") for body in answer.get("content", {}).values()]
                if not schemas or not all(schemas):
                    vague.append(f"{method.upper()} {path} {status}")
    assert not vague, f"routes without a response model: {vague}"
