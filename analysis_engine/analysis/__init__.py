"""The analysis worker's job: features, vibe and embedding for each uploaded sample.

Importing `analysis_engine.analysis.pipeline` brings in torch; only the worker does that.
"""

# The worker's entry point and the waveform and embedding backfills (`sp404 admin`); the
# pipeline (torch) is private to the worker.
__all__ = [
    "backfill",
    "embeddings",
    "runner",
]
