"""`drills/run_all.py` runs every drill the operations issue asks for, and can run a few."""

from __future__ import annotations

import subprocess
import sys

from drills.run_all import DRILLS
from sp404.core.settings import REPO_ROOT


def test_every_drill_of_the_issue_is_in_the_run() -> None:
    assert set(DRILLS) == {
        "engine",
        "worker",
        "redis",
        "redis-cluster",
        "storage",
        "postgres",
        "webhooks",
        "replay",
        "backup",
    }


def test_the_runner_needs_no_flag_to_include_postgres_and_names_its_choices() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "drills.run_all", "--help"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "--yes-restart-shared-postgres" not in shown.stdout
    assert "postgres" in shown.stdout and "webhooks" in shown.stdout
