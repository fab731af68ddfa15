"""Rules shared by the engine's request bodies and query parameters, written so that the OpenAPI
document states them: a client generated from it learns what the engine accepts."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic.config import JsonDict

# PostgreSQL text and jsonb cannot hold U+0000: a NUL anywhere is refused with 422 here rather
# than failing in the database with a 500.
NO_NUL = r"^[^\x00]*$"
# A name: no NUL, and something besides whitespace. Stripped fields still count their length
# after stripping (so "   " keeps its "at least 1 character" message); this states it for clients.
VISIBLE = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _drop_default(schema: JsonDict) -> None:
    schema.pop("default", None)


def left_out() -> Any:
    """The default of an optional field whose null the API tolerates but does not document:
    pair it with `T | SkipJsonSchema[None]`, so the schema says "a T, or leave it out"."""
    return Field(default=None, json_schema_extra=_drop_default)


def exactly_one_of(*names: str) -> JsonDict:
    """JSON Schema for "give exactly one of these fields" (the model's validator enforces it;
    the fields must be left_out() ones, so that a null never counts as given)."""
    return {"oneOf": [{"required": [name]} for name in names]}
