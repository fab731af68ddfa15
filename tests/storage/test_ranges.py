"""The Range header of a download: what is served, what is ignored, what answers 416."""

from __future__ import annotations

import pytest

from sp404.storage import RangeNotSatisfiable, parse_range


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("", 100, None),
        ("bytes=0-0", 100, (0, 1)),
        ("bytes=0-99", 100, (0, 100)),
        ("bytes=10-", 100, (10, 100)),
        ("bytes=90-1000", 100, (90, 100)),
        ("bytes=-10", 100, (90, 100)),
        ("bytes=-1000", 100, (0, 100)),
        ("Bytes = 5-6", 100, (5, 7)),
        ("items=0-5", 100, None),  # another unit: ignored, whole blob
        ("bytes=0-1,5-6", 100, None),  # several ranges: ignored, whole blob
    ],
)
def test_satisfiable_or_ignored_ranges(
    header: str | None, size: int, expected: tuple[int, int] | None
) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=100-", 100),
        ("bytes=150-200", 100),
        ("bytes=-0", 100),
        ("bytes=0-", 0),
        ("bytes=-5", 0),
        ("bytes=9-3", 100),
        ("bytes=-", 100),
        ("bytes=a-b", 100),
        ("bytes=1-2-3", 100),
    ],
)
def test_unsatisfiable_or_malformed_ranges_answer_416(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


def test_a_416_names_the_size_in_content_range() -> None:
    with pytest.raises(RangeNotSatisfiable) as raised:
        parse_range("bytes=100-", 100)
    assert raised.value.headers == {"Content-Range": "bytes */100"}
