"""`sp404 keys ...`."""

from __future__ import annotations

import argparse

from sp404.core.gateway_signature import generate_secrets, rotate_secrets
from sp404.core.settings import TokensSection
from sp404.tokens import keys


def generate(args: argparse.Namespace) -> int:
    """Create the first signing key and gateway secret unless they exist."""
    keys_dir = TokensSection().keys_dir
    ring = keys.generate(keys_dir)
    generate_secrets(keys_dir)
    print(f"signing key {ring.active_kid} and the gateway secret in {keys_dir}")
    return 0


def rotate(args: argparse.Namespace) -> int:
    """New signing key and gateway secret; the old ones keep verifying for a while."""
    settings = TokensSection()
    ring = keys.rotate(settings.keys_dir, access_ttl=settings.access_token_ttl_s)
    # Services re-read the secrets file when it changes; the previous secret still verifies.
    rotate_secrets(settings.keys_dir)
    print(f"now signing with {ring.active_kid} and a new gateway secret")
    return 0
