"""The named SQL of kits, loaded once from queries.sql."""

from __future__ import annotations

from pathlib import Path

from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
