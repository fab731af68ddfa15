"""The sample library: uploads, storage, quotas and the producer's list of sounds."""

# The library is what the other domains build on: its schemas, sample views, the upload path and
# the audio checks, and the tempo/key filters search shares. Its queries and ranges are private.
__all__ = [
    "filters",
    "formats",
    "reanalyze",
    "routes",
    "schemas",
    "service",
    "staging",
    "upload",
]
