"""HTTP `Range: bytes=...` parsing for every byte download: blob links and preview streams.

One range per request, as audio players and download managers ask. A multi-range request is
ignored and answered 200 with the whole body (RFC 9110 section 14.2 lets a server ignore Range;
a multipart/byteranges answer buys players nothing). Another unit is ignored the same way.
A malformed or unsatisfiable single byte range raises RangeNotSatisfiable, carrying the
`Content-Range: bytes */size` header RFC 9110 section 15.5.17 asks for.
"""

from __future__ import annotations

import re

from sp404.storage.errors import RangeNotSatisfiable

_SPEC = re.compile(r"(\d*)-(\d*)")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Half-open [begin, stop) of the one byte range asked for, or None for the whole body."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    unsatisfiable = RangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
    match = _SPEC.fullmatch(spec.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise unsatisfiable
    first, last = match.group(1), match.group(2)
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise unsatisfiable
        return max(0, size - suffix), size
    begin = int(first)
    if begin >= size or (last != "" and int(last) < begin):
        raise unsatisfiable
    stop = size if last == "" else min(int(last) + 1, size)
    return begin, stop
