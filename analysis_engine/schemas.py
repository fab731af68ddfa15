"""Rules shared by the engine's request bodies and query parameters, written so that the OpenAPI
document states them: a client generated from it learns what the engine accepts; and the base of
its response bodies, so that the document also states what it answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
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


class ResponseModel(BaseModel):
    """A response body as the API answers it: every field stated, nothing else. A key a service
    adds without a field here fails validation (a 500 the tests see) instead of vanishing."""

    model_config = ConfigDict(extra="forbid")


# Timestamps some services write as text themselves (`json.dumps(..., default=str)`, or
# PostgreSQL's to_jsonb) rather than as datetimes: stated as they are sent.
TextTimestamp = Annotated[
    str, Field(description="a timestamp with its UTC offset, e.g. 2025-11-18 10:00:00.123+00:00")
]
