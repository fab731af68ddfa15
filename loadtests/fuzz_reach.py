"""How far a schemathesis run got into a service: the status codes each operation of the document
answered, read from the run's NDJSON report. An operation that only ever answered 404 never got
past the lookup of its ids; one with any other answer was reached.

    .venv/bin/python -m loadtests.fuzz_reach REPORT.ndjson OPENAPI.json
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Statuses = dict[str, Counter[int]]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(method, path, regex) per operation; literal paths first, so `/api/samples/batch` is not
    taken for `/api/samples/{sample_id}`."""
    found = []
    for path, operations in document["paths"].items():
        segments = ("[^/]+" if s.startswith("{") else re.escape(s) for s in path.split("/"))
        pattern = re.compile("^" + "/".join(segments) + "$")
        for method in operations:
            found.append((method.upper(), path, pattern))
    return sorted(found, key=lambda entry: entry[1].count("{"))


def _interactions(report: Path) -> Iterator[dict[str, Any]]:
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        yield from finished["recorder"].get("interactions", {}).values()


def statuses(report: Path, document: dict[str, Any]) -> Statuses:
    """Operation label (`GET /api/samples`) -> status code -> how many answers."""
    operations = _operations(document)
    counted: Statuses = defaultdict(Counter)
    for interaction in _interactions(report):
        response = interaction.get("response")
        if not response:
            continue
        method = interaction["request"]["method"].upper()
        path = urlsplit(interaction["request"]["uri"]).path
        for op_method, op_path, pattern in operations:
            if op_method == method and pattern.match(path):
                counted[f"{method} {op_path}"][int(response["status_code"])] += 1
                break
    return dict(counted)


def reach(report: Path, document: dict[str, Any]) -> tuple[int, int, Statuses]:
    """(operations answered other than 404, operations in the document, statuses)."""
    counted = statuses(report, document)
    total = sum(len(operations) for operations in document["paths"].values())
    reached = sum(1 for codes in counted.values() if set(codes) - {404})
    return reached, total, counted


def main() -> int:
    report, schema = Path(sys.argv[1]), Path(sys.argv[2])
    document = json.loads(schema.read_text())
    reached, total, counted = reach(report, document)
    for path, operations in document["paths"].items():
        for method in operations:
            label = f"{method.upper()} {path}"
            codes = counted.get(label, Counter())
            shown = " ".join(f"{code} x{n}" for code, n in sorted(codes.items())) or "not called"
            print(f"{'reached' if set(codes) - {404} else 'NOT   '}  {label}: {shown}")
    requests = sum(sum(codes.values()) for codes in counted.values())
    errors = sum(n for codes in counted.values() for code, n in codes.items() if code >= 500)
    print(f"{reached} of {total} operations answered other than 404; {requests} requests, "
          f"{errors} answered 5xx")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
