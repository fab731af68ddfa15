"""Opaque tokens (refresh, e-mail verification, reset) and the public surface of the package."""

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

from sp404 import tokens


def test_opaque_token_carries_256_random_bits_in_url_safe_characters() -> None:
    token = tokens.new_opaque_token()
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_opaque_tokens_never_repeat() -> None:
    assert len({tokens.new_opaque_token() for _ in range(1000)}) == 1000


def test_opaque_token_hash_is_its_sha256_hex_digest() -> None:
    token = tokens.new_opaque_token()
    assert tokens.hash_opaque_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert tokens.hash_opaque_token(token) == tokens.hash_opaque_token(token)
    assert tokens.hash_opaque_token(token) != tokens.hash_opaque_token(tokens.new_opaque_token())


def test_package_exports_a_small_sorted_surface() -> None:
    assert tokens.__all__ == [
        "AccessTokenVerifier",
        "Claims",
        "InvalidToken",
        "JwksCache",
        "JwksUnavailable",
        "KeyRing",
        "KeyRingError",
        "RevocationStore",
        "RevocationUnavailable",
        "TokensError",
        "build_jwks",
        "generate",
        "hash_opaque_token",
        "issue_access_token",
        "keys",
        "new_opaque_token",
        "openapi",
        "personal",
        "platform_verifier",
        "prune",
        "rotate",
        "scopes",
        "start_verifier",
    ]


def test_importing_tokens_pulls_in_no_web_framework_or_database_driver() -> None:
    probe = (
        "import sys, sp404.tokens; "
        "print(sorted(m for m in ('fastapi', 'starlette', 'asyncpg', 'sqlalchemy', 'torch') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(tokens.__file__).parents[2])},
    )
    assert result.stdout.strip() == "[]"
