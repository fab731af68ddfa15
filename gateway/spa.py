"""The web app's built files (`web/dist`) at `/`, with index.html for the app's own routes.

Everything the Door serves keeps going to the Door: API, JWKS and blob paths are never answered
with index.html, so a mistyped API URL still gets a JSON 404 instead of a page of HTML. Vite puts
a content hash in every file name under `assets/`, so those may be cached for a year; index.html
must be revalidated, or a deploy would leave browsers on old asset names. Text files go out
gzipped to clients that accept it (about a third of the bytes), compressed once per file version
and kept in memory: the whole build is a few hundred KiB.
"""

from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sp404.core.settings import REPO_ROOT

RESERVED_PREFIXES = ("/api/", "/.well-known/", "/blobs/")
RESERVED_PATHS = frozenset({"/api", "/.well-known", "/blobs", "/healthz", "/readyz", "/metrics"})
HASHED_ASSETS = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset({".html", ".js", ".css", ".svg", ".json", ".txt", ".map"})


def is_spa_path(path: str) -> bool:
    """Whether the web app may answer this path (everything but the API and service paths)."""
    return path not in RESERVED_PATHS and not path.startswith(RESERVED_PREFIXES)


class SpaFiles:
    """Serves the web app for GET and HEAD on app paths; hands everything else to `app`."""

    def __init__(self, app: ASGIApp, dist: Path | None) -> None:
        self.app = app
        self.root = (REPO_ROOT / dist).resolve() if dist is not None else None
        self.index = self.root / "index.html" if self.root is not None else None
        self._gzipped: dict[Path, tuple[int, bytes]] = {}

    def _gzip(self, file: Path) -> bytes:
        """The file gzipped, compressed again only when the file changed (a rebuild)."""
        version = file.stat().st_mtime_ns
        cached = self._gzipped.get(file)
        if cached is None or cached[0] != version:
            cached = (version, gzip.compress(file.read_bytes(), compresslevel=9, mtime=0))
            self._gzipped[file] = cached
        return cached[1]

    def _file_for(self, path: str) -> Path | None:
        """The built file at `path`, or None; nothing outside the build folder is ever reached."""
        if self.root is None:
            return None
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate.is_relative_to(self.root) and candidate.is_file():
            return candidate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not is_spa_path(path)
            or self.index is None
            or not self.index.is_file()
        ):
            await self.app(scope, receive, send)
            return
        found = self._file_for(path)
        if found is None and path.startswith(HASHED_ASSETS):
            # A missing asset is a 404, not the app: a stale tab must not parse HTML as script.
            await self.app(scope, receive, send)
            return
        target = found if found is not None and found.name != "index.html" else self.index
        cache = IMMUTABLE if path.startswith(HASHED_ASSETS) else REVALIDATE
        accepts = Headers(scope=scope).get("accept-encoding", "")
        response: Response
        if target.suffix in COMPRESSIBLE and "gzip" in accepts:
            media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            response = Response(
                self._gzip(target),
                media_type=media_type,
                headers={
                    "Cache-Control": cache,
                    "Content-Encoding": "gzip",
                    "Vary": "Accept-Encoding",
                },
            )
        else:
            response = FileResponse(
                target, headers={"Cache-Control": cache, "Vary": "Accept-Encoding"}
            )
        await response(scope, receive, send)
