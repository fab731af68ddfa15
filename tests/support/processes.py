"""Stopping the services a test started, the way a deploy does, and failing when one lingers."""

from __future__ import annotations

import subprocess

# How long a service may take to stop after SIGTERM: uvicorn gives open connections 5 s, then
# the lifespan's cleanups run, each bounded (service_app.SHUTDOWN_STEP_S). Once a platform never
# stopped, and outlived the run that started it.
STOP_TIMEOUT_S = 30.0


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a service process and wait for it; one that outlives STOP_TIMEOUT_S is killed (so
    it cannot leak into later tests) and fails the caller."""
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(
            f"{process.args} did not stop within {STOP_TIMEOUT_S} s of SIGTERM"
        ) from None
