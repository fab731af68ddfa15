"""Search over a producer's library: similar sounds by embedding, and text ("vibe") search."""

from analysis_engine.music import (
    Key,
    compatible_keys,
    key_relation,
    parse_key,
    tempo_relation,
)
from analysis_engine.search.routes import router
from analysis_engine.search.schemas import KeyRelation
from analysis_engine.search.similar import LIBRARIES
from analysis_engine.search.text_search import build_query, search_library

__all__ = [
    "LIBRARIES",
    "Key",
    "KeyRelation",
    "build_query",
    "compatible_keys",
    "key_relation",
    "parse_key",
    "router",
    "search_library",
    "tempo_relation",
]
