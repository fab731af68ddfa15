"""HTTP `Range: bytes=...` parsing for blob downloads."""

from __future__ import annotations

import re

from sp404.storage.errors import RangeNotSatisfiable

_SPEC = re.compile(r"(\d*)-(\d*)")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Half-open [begin, stop) for a single byte range, or None to send the whole blob.

    Other units and multi-range requests are ignored (allowed by RFC 9110 §14.2); a malformed
    or unsatisfiable single byte range raises RangeNotSatisfiable.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _SPEC.fullmatch(spec.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise RangeNotSatisfiable()
    first, last = match.group(1), match.group(2)
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - suffix), size
    begin = int(first)
    if begin >= size or (last != "" and int(last) < begin):
        raise RangeNotSatisfiable()
    stop = size if last == "" else min(int(last) + 1, size)
    return begin, stop
