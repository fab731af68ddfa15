"""The Content-Disposition header for downloads, safe for any user-chosen filename."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# Quotes, backslashes and control characters would break out of the quoted-string.
_UNSAFE_ASCII = re.compile(r'[\x00-\x1f\x7f"\\]')


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    cleaned = _UNSAFE_ASCII.sub("", filename.replace("/", "_")).strip() or "download"
    ascii_name = (
        unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode() or "download"
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
