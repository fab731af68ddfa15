"""Named SQL queries loaded from `queries.sql` files (`-- name: fetch_sample --` headers)."""

from __future__ import annotations

import re
from pathlib import Path

_HEADER = re.compile(r"^--\s*name:\s*(?P<name>\w+)\s*--\s*$", re.MULTILINE)


def load_queries(path: Path) -> dict[str, str]:
    """Parse a queries file into {name: sql}; duplicate or empty queries are errors."""
    text = path.read_text(encoding="utf-8")
    queries: dict[str, str] = {}
    matches = list(_HEADER.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end]
        # The first comment line after the header is the description; keep SQL only.
        sql = "\n".join(
            line for line in body.strip().splitlines() if not line.lstrip().startswith("--")
        ).strip()
        name = match["name"]
        if not sql:
            raise ValueError(f"{path}: query {name!r} is empty")
        if name in queries:
            raise ValueError(f"{path}: query {name!r} is defined twice")
        queries[name] = sql
    return queries


def all_query_files(root: Path) -> list[Path]:
    """Every queries.sql under the given source roots (for the prepare-everything test)."""
    return sorted(root.rglob("queries.sql"))
