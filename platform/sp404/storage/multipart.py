"""Reading a multipart/form-data body as a stream of parts, file bytes never held whole.

Starlette's `request.form()` spools every file to a temporary file before the handler sees it;
an upload must instead flow to the blob store while it arrives, so we drive python-multipart's
push parser from the ASGI body stream ourselves.

A body that is not a complete, well-formed multipart message (a broken part header, a part
without `Content-Disposition: form-data; name=...`, a missing or foreign boundary, an end before
the closing boundary) is a 400 `malformed_body`, never a 500 and never half an upload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from sp404.core.errors import BadRequest, Unprocessable, UnsupportedMediaType

MAX_FIELD_BYTES = 64 * 1024


class MalformedBody(BadRequest):
    """The body is not a well-formed multipart/form-data message."""

    code = "malformed_body"


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str | None
    chunks: list[bytes] = field(default_factory=list)


class MultipartStream:
    """Yields ("part", Part) when a part starts, ("data", bytes) for its bytes, ("end", Part)."""

    def __init__(self, content_type: str | None, body: AsyncIterator[bytes]) -> None:
        kind, options = parse_options_header((content_type or "").encode("latin-1"))
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise UnsupportedMediaType("Send the upload as multipart/form-data.")
        self._body = body
        self._events: list[tuple[str, Any]] = []
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        callbacks: dict[str, Any] = {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }
        self._parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        self._current: Part | None = None

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise MalformedBody(
                'Each part needs a "Content-Disposition: form-data; name=..." header.'
            )
        name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        filename = None if raw_filename is None else raw_filename.decode("utf-8", "replace")
        content_type = self._headers.get(b"content-type")
        self._current = Part(
            name, filename, None if content_type is None else content_type.decode()
        )
        self._events.append(("part", self._current))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(("data", bytes(data[start:end])))

    def _part_end(self) -> None:
        self._events.append(("end", self._current))

    async def events(self) -> AsyncIterator[tuple[str, Any]]:
        """Parser events in order, as the body arrives."""
        async for chunk in self._body:
            if not chunk:
                continue
            try:
                self._parser.write(chunk)
            except MultipartParseError as exc:
                raise MalformedBody(f"The multipart body is malformed: {exc}.") from exc
            events, self._events = self._events, []
            for event in events:
                yield event
        # python-multipart's finalize() does not check that the closing boundary arrived; a
        # body cut short must not pass for a complete one (a truncated file stored as whole).
        if self._parser.state != MultipartState.END:
            raise MalformedBody("The multipart body ended before its closing boundary.")
        self._parser.finalize()
        for event in self._events:
            yield event


async def read_field(events: AsyncIterator[tuple[str, Any]]) -> str:
    """The value of a small (non-file) form field whose part just started."""
    value = bytearray()
    async for kind, payload in events:
        if kind == "data":
            value += payload
            if len(value) > MAX_FIELD_BYTES:
                raise BadRequest("A form field is too large.")
        elif kind == "end":
            text = value.decode("utf-8", "replace")
            if "\x00" in text:  # PostgreSQL text cannot hold U+0000
                raise Unprocessable("A form field cannot contain a NUL character.")
            return text
    raise BadRequest("The form ended inside a field.")
