"""Reading py-spy's collapsed stacks ("a;b;c 12" per line): where a process spends its time."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

# "handle (uvicorn/protocols/http/httptools_impl.py:401)" -> drop the line number, keep the file.
_LINE = re.compile(r":\d+\)$")


def _frame(raw: str) -> str:
    return _LINE.sub(")", raw.strip())


def hottest_frames(collapsed: Path, top: int = 10) -> list[tuple[str, float]]:
    """The `top` leaf frames by share of samples (percent), busiest first."""
    leaves: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaves[_frame(stack.split(";")[-1])] += int(count)
    total = sum(leaves.values())
    return [(frame, 100.0 * n / total) for frame, n in leaves.most_common(top)] if total else []
