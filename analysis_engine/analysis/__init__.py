"""The analysis worker's job: features, vibe and embedding for each uploaded sample.

Importing `analysis_engine.analysis.pipeline` brings in torch; only the worker does that.
"""

# The worker's entry point; the pipeline (torch) is private to it.
__all__ = [
    "runner",
]
