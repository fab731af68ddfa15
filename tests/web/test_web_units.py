"""The web app's own unit tests (vitest: the API client's pacing, retries and job feed, upload
errors, key names, waveform peaks, WAV headers, formatting), run with everything else so that
CI runs them too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.web.conftest import WEB, node_env


def test_the_web_apps_unit_tests_pass(web_dist: Path) -> None:
    # web_dist installs the lock file's packages where a fresh clone has none.
    env = node_env()
    npm = shutil.which("npm", path=env["PATH"])
    assert npm is not None, "scripts/ensure_node.sh answered a directory without npm"
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, env=env, check=True)
    result = subprocess.run(
        [npm, "test", "--", "--reporter=dot"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
