"""The garbage collector's settings for a long-running service process.

CPython's default thresholds (700 new objects start a young collection; ten of those an older
one) suit short scripts. A service keeps hundreds of thousands of long-lived objects (imported
modules, the app, and the engine's per-producer library caches), and every older collection
walks all of them: at 50,000 samples per producer that showed as 100-300 ms stalls in the
library list's p95 while the database answered in 2 ms (docs/scaling.md). Freezing what exists
once start-up is done takes it out of every later walk, and a larger young threshold makes the
walks rarer; garbage with cycles is still collected, only in fewer, larger batches.
"""

from __future__ import annotations

import gc

# Young collection after this many net new container objects (CPython's default is 700).
YOUNG_THRESHOLD = 50_000
# Then CPython's own ratios for the two older generations.
OLDER_THRESHOLDS = (20, 10)


def tune_for_service() -> None:
    """Collect start-up's garbage, freeze the survivors and raise the young threshold."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
