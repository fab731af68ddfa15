"""Text ("vibe") search: the caller's samples whose title, tags, genre or vibe match some words."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.samples.service import sample_view
from tenancy.db import tenant_tx
from tenancy.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))

MAX_QUERY_LENGTH = 1000
# Words as the text-search parser sees them: letters and digits (underscore separates).
_WORD = re.compile(r"[^\W_]+")
# Plain ASCII words, hyphenated ones ("lo-fi") and quotes make the common query. Such a query has
# no negation (websearch reads "-" as NOT only before a word), and the parser finds the same words
# in it whether they stand together or alone, so "any of its words" is a sound pre-test. Only
# pure letters and digits get prefix matching, so a prefix query holds nothing but them, `:*`,
# `&` and `|`.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_MAX_PREFIX_WORDS = 8
_MIN_PREFIX_LENGTH = 2
_MAX_ANY_WORDS = 64


@dataclass(frozen=True)
class TextQuery:
    """What the search SQL takes: the web-style query, prefix queries and a cheap pre-test."""

    text: str
    prefix_all: str | None
    words_any: str | None
    prefix_any: str | None

    @property
    def has_words(self) -> bool:
        return _WORD.search(self.text) is not None


def build_query(raw: str) -> TextQuery:
    """The query as Postgres takes it, with prefix matching for a few plain words ("dus")."""
    text = raw.replace("\x00", " ").strip()[:MAX_QUERY_LENGTH]
    tokens = text.replace('"', " ").split()
    plain = all(_PLAIN_WORD.fullmatch(token) for token in tokens)
    words = [t for t in tokens if t.lower() != "or"] if plain else []
    prefixes = [w.lower() for w in words if w.isalnum() and len(w) >= _MIN_PREFIX_LENGTH]
    if '"' in text or len(prefixes) > _MAX_PREFIX_WORDS:
        prefixes = []
    # Every match of a plain query holds one of its words or prefixes (there is no negation in
    # it); the SQL tests that first. Other queries, or too many words to list, go without.
    any_words = " or ".join(words) if len(words) <= _MAX_ANY_WORDS else ""
    return TextQuery(
        text=text,
        prefix_all=" & ".join(f"{p}:*" for p in prefixes) or None,
        words_any=any_words or None,
        prefix_any=" | ".join(f"{p}:*" for p in prefixes) or None,
    )


async def search_library(
    ctx: Engine, *, user_id: uuid.UUID, text: str, limit: int, offset: int
) -> dict[str, Any]:
    """A page of the caller's samples matching `text`, best first, each with its `rank`."""
    query = build_query(text)
    rows = []
    if query.has_words:
        async with tenant_tx(ctx.pool, user_id) as conn:
            rows = await conn.fetch(
                SQL["search_library"],
                query.text,
                query.prefix_all,
                query.words_any,
                query.prefix_any,
                limit,
                offset,
            )
    results = [
        {**sample_view(row), "vibe": row["vibe"], "rank": round(float(row["rank"]), 6)}
        for row in rows
        if row["id"] is not None
    ]
    total = rows[0]["total"] if rows else 0
    return {
        "query": query.text,
        "results": results,
        "total": total,
        "limit": limit,
        "offset": offset,
    }
