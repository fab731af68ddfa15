"""Reading py-spy's collapsed stacks."""

from __future__ import annotations

from pathlib import Path

from loadtests.profile import hottest_frames


def test_hottest_frames_rank_leaves_by_share_across_line_numbers(tmp_path: Path) -> None:
    raw = tmp_path / "stacks.txt"
    raw.write_text(
        "main (app.py:1);verify (jwt.py:10) 30\n"
        "main (app.py:1);verify (jwt.py:12) 30\n"
        "main (app.py:1);select (selectors.py:5) 40\n"
        "garbage line\n"
    )
    assert hottest_frames(raw, 2) == [("verify (jwt.py)", 60.0), ("select (selectors.py)", 40.0)]


def test_an_empty_profile_has_no_hot_frames(tmp_path: Path) -> None:
    raw = tmp_path / "empty.txt"
    raw.write_text("")
    assert hottest_frames(raw) == []
