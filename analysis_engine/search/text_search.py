"""Text ("vibe") search: the caller's samples whose title, tags, genre or vibe match some words,
optionally narrowed to a tempo range, a key, and loops or one-shots."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.samples.filters import TempoKeyFilter
from analysis_engine.samples.service import LIST_WAVEFORM_COLUMNS, page_views
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))

MAX_QUERY_LENGTH = 1000
# Words as the text-search parser sees them: letters and digits (underscore separates).
_WORD = re.compile(r"[^\W_]+")
# Plain ASCII words and hyphenated ones ("lo-fi") make the common query. Only pure letters and
# digits get prefix matching, so a prefix query holds nothing but them, `:*` and `&`.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_MAX_PREFIX_WORDS = 8
_MIN_PREFIX_LENGTH = 2


@dataclass(frozen=True)
class TextQuery:
    """What the search SQL takes: the web-style query and a prefix query for partly typed words."""

    text: str
    prefix_all: str | None

    @property
    def has_words(self) -> bool:
        return _WORD.search(self.text) is not None


@dataclass(frozen=True)
class SearchFilters:
    """What a text search keeps besides matching words: tempo and key as in the library list
    (half and double time, relative and compatible keys), and loops or one-shots (None: any)."""

    tempo_key: TempoKeyFilter = field(default_factory=TempoKeyFilter)
    loop: bool | None = None

    def args(self) -> tuple[Any, ...]:
        """Parameters $3..$6 of `search_library`."""
        return *self.tempo_key.tempo_args(), self.tempo_key.key_args(), self.loop


NO_FILTERS = SearchFilters()


def build_query(raw: str) -> TextQuery:
    """The query as Postgres takes it, with prefix matching for a few plain words ("dus")."""
    text = raw.replace("\x00", " ").strip()[:MAX_QUERY_LENGTH]
    tokens = text.replace('"', " ").split()
    plain = all(_PLAIN_WORD.fullmatch(token) for token in tokens)
    words = [t for t in tokens if t.lower() != "or"] if plain else []
    prefixes = [w.lower() for w in words if w.isalnum() and len(w) >= _MIN_PREFIX_LENGTH]
    if '"' in text or len(prefixes) > _MAX_PREFIX_WORDS:
        prefixes = []
    return TextQuery(text=text, prefix_all=" & ".join(f"{p}:*" for p in prefixes) or None)


async def search_library(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    text: str,
    limit: int,
    offset: int,
    filters: SearchFilters = NO_FILTERS,
    waveform_columns: int = LIST_WAVEFORM_COLUMNS,
) -> dict[str, Any]:
    """A page of the caller's samples matching `text` and `filters`, best first, with `rank`."""
    query = build_query(text)
    rows: list[Any] = []
    results: list[dict[str, Any]] = []
    if query.has_words:
        async with tenant_tx(ctx.pool, user_id) as conn:
            rows = await conn.fetch(
                SQL["search_library"],
                query.text,
                query.prefix_all,
                *filters.args(),
                limit,
                offset,
            )
            ranks = {row["id"]: row["rank"] for row in rows if row["id"] is not None}
            views = await page_views(conn, list(ranks), waveform_columns)
        results = [{**view, "rank": round(float(ranks[view["id"]]), 6)} for view in views]
    total = rows[0]["total"] if rows else 0
    return {
        "query": query.text,
        "results": results,
        "total": total,
        "limit": limit,
        "offset": offset,
        "key_filter": filters.tempo_key.key_view(),
    }
