"""Search over a producer's library: similar sounds by embedding, and text ("vibe") search."""

from analysis_engine.search.compat import Key, key_relation, parse_key, tempo_relation
from analysis_engine.search.routes import router

__all__ = ["Key", "key_relation", "parse_key", "router", "tempo_relation"]
