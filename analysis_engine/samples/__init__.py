"""The sample library: uploads, storage, quotas and the producer's list of sounds."""

# The library is what the other domains build on: its schemas, sample views, the upload path and
# the audio checks, the tempo/key filters and the page response (orjson) search shares. Its
# queries and ranges are private.
__all__ = [
    "filters",
    "formats",
    "page_response",
    "reanalyze",
    "routes",
    "schemas",
    "service",
    "staging",
    "upload",
]
