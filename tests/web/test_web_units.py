"""The web app's own unit tests (vitest: the API client's pacing, retries and job feed, upload
errors, key names, waveform peaks, WAV headers, formatting), run with everything else so that
CI runs them too."""

from __future__ import annotations

import subprocess

from tests.web.conftest import WEB, web_npm


def test_the_web_apps_unit_tests_pass() -> None:
    npm, env = web_npm()
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
