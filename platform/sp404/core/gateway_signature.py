"""Upstream services answer the gateway only: a signed header proves a request came through it.

The gateway signs each request it forwards with an HMAC-SHA256 over a timestamp, the method, the
path and the client address it resolved (`X-Client-IP`), keyed by a secret only it and the
services hold. A service refuses any request without a valid, fresh signature (403
`gateway_required`), except health, readiness, metrics and the public JWKS, which the gateway and
the engine fetch themselves. So a limit or a refusal at the gateway cannot be skipped by calling a
service directly, and the client address a service reads is the one the gateway resolved.

Secrets rotate like the signing keys: the first one signs, every listed one verifies. They come
from `SP404_GATEWAY_SECRETS` (a JSON list) or, on one machine, from `gateway_secrets.json` in the
keys folder, which `sp404 keys generate` creates and `sp404 keys rotate` rotates.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from sp404.core.asgi import app_error_response_parts
from sp404.core.errors import Forbidden
from sp404.core.logging import request_id_var
from sp404.core.settings import TokensSection

SIGNATURE_HEADER = "x-gateway-signature"
CLIENT_HEADER = "x-client-ip"
SECRETS_FILE = "gateway_secrets.json"
# Clocks of one deployment agree to well within this; a captured header dies with it.
TOLERANCE_S = 60
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/.well-known/jwks.json"})
# Kept after a rotation: the previous secret verifies while every gateway picks up the new one.
_KEPT = 2


class GatewayRequired(Forbidden):
    code = "gateway_required"


def _mac(secret: str, timestamp: int, method: str, path: str, client_ip: str) -> str:
    message = f"{timestamp}\n{method.upper()}\n{path}\n{client_ip}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, method: str, path: str, client_ip: str, *, now: float | None = None) -> str:
    """The header value that vouches for one request."""
    timestamp = int(time.time() if now is None else now)
    return f"t={timestamp},v1={_mac(secret, timestamp, method, path, client_ip)}"


def verify(
    value: str | None,
    candidates: list[str],
    method: str,
    path: str,
    client_ip: str,
    *,
    now: float | None = None,
) -> bool:
    """Whether a header value was made by a holder of one of the secrets, recently."""
    if not value or not candidates:
        return False
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_S:
        return False
    given = parts.get("v1", "")
    return any(
        hmac.compare_digest(given, _mac(secret, timestamp, method, path, client_ip))
        for secret in candidates
    )


def generate_secrets(directory: Path) -> None:
    """Create the secrets file unless one exists (several processes may race here: one wins)."""
    target = directory / SECRETS_FILE
    if target.exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    _write_new(target, [secrets.token_urlsafe(32)], replace=False)


def rotate_secrets(directory: Path) -> None:
    """Put a new secret first; the previous one keeps verifying."""
    target = directory / SECRETS_FILE
    current = _read(target)
    directory.mkdir(parents=True, exist_ok=True)
    _write_new(target, [secrets.token_urlsafe(32), *current][:_KEPT], replace=True)


def _read(path: Path) -> list[str]:
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["secrets"]
    except FileNotFoundError:
        return []
    return [str(s) for s in listed]


def _write_new(target: Path, listed: list[str], *, replace: bool) -> None:
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".gateway-secrets-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"secrets": listed}, handle)
        os.chmod(temp, 0o600)
        if replace:
            os.replace(temp, target)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


class GatewaySecrets:
    """The secrets in force: from the environment, else the file (re-read when it changes)."""

    def __init__(self, settings: TokensSection) -> None:
        self._fixed = [s.get_secret_value() for s in settings.gateway_secrets]
        self._path = settings.keys_dir / SECRETS_FILE
        self._mtime: float | None = None
        self._listed: list[str] = []

    def __call__(self) -> list[str]:
        """Every secret that verifies, the signing one first."""
        if self._fixed:
            return self._fixed
        try:
            mtime = self._path.stat().st_mtime
        except FileNotFoundError:
            return []
        if mtime != self._mtime:
            self._listed, self._mtime = _read(self._path), mtime
        return self._listed


class RequireGateway:
    """Pure ASGI: refuse what the gateway did not sign; keep its resolved client address."""

    def __init__(self, app: ASGIApp, secrets_of: Callable[[], list[str]]) -> None:
        self.app = app
        self._secrets = secrets_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        client_ip = headers.get(CLIENT_HEADER, "")
        if not verify(
            headers.get(SIGNATURE_HEADER),
            self._secrets(),
            scope["method"],
            scope["path"],
            client_ip,
        ):
            error = GatewayRequired("This service answers requests through the gateway only.")
            status, body, extra = app_error_response_parts(error, request_id_var.get())
            raw = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
            raw += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["client_ip"] = client_ip or None
        await self.app(scope, receive, send)
