"""How the browser tests and benchmarks start Debian's Chromium."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("SP404_CHROMIUM", "/usr/bin/chromium"))
# Headless, and quiet: nothing reaches out to the network or updates itself while measured.
HEADLESS_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# For pages that play sound: heard by nobody, and allowed without a gesture's wait.
AUDIO_ARGS = [*HEADLESS_ARGS, "--mute-audio", "--autoplay-policy=no-user-gesture-required"]
