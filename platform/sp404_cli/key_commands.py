"""`sp404 keys ...`."""

from __future__ import annotations

import argparse

from tenancy.settings import get_settings
from tokens import keys


def generate(args: argparse.Namespace) -> int:
    """Create the first signing key unless one exists."""
    ring = keys.generate(get_settings().keys_dir)
    print(f"signing key {ring.active_kid} in {get_settings().keys_dir}")
    return 0


def rotate(args: argparse.Namespace) -> int:
    """Make a new active signing key; the old one keeps verifying until its tokens expire."""
    settings = get_settings()
    ring = keys.rotate(settings.keys_dir, access_ttl=settings.access_token_ttl_s)
    print(f"now signing with {ring.active_kid}")
    return 0
