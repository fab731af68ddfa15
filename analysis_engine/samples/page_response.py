"""Library pages (the list and text search) written as JSON by orjson.

A page carries 50 rows of 200-column waveforms: validated and dumped by pydantic, that is 10,000
`[min, max]` Python lists built, checked and written on every request (~3 ms of a busy core per
page, a third of the list's 10 ms budget at 50,000 samples; issue 23). orjson writes each
waveform straight from its int8 array (features/waveform.waveform_peaks) and the rest as
pydantic would (same field values, timestamps ending in `Z`), in about a third of that time.
The routes keep their `response_model`, which documents the answer; the tests validate real
answers against it, so a field the service adds without a model field still fails a test.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from fastapi.responses import Response

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_UTC_Z


def _other(value: object) -> str:
    # asyncpg's UUID subclasses uuid.UUID, which orjson writes only as the exact type.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class PageResponse(Response):
    """A JSON answer rendered by orjson (numpy arrays as nested lists)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_other, option=_OPTIONS)
