"""The README's promises stay true: the CLI reference is current and the commands exist."""

from __future__ import annotations

import subprocess
import sys

from scripts.update_readme_cli import README, render
from sp404.core.settings import REPO_ROOT


def test_readme_cli_reference_matches_the_parser() -> None:
    text = README.read_text()
    assert render(text) == text, "run: python -m scripts.update_readme_cli"


def test_readme_shows_the_two_commands_first() -> None:
    text = README.read_text()
    first_block = text.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block


def test_cli_usage_errors_are_one_clean_line_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sp404.cli.main", "serve", "nonsense"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr
