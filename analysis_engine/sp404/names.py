"""Names the SP-404MK2 shows and the SD card's FAT file system accepts.

Every name that reaches a zip entry passes through `clean_name`, so a kit or
sample title can never smuggle a path separator, `..` or a control byte in.
Characters outside the safe set become spaces rather than vanishing, so
"KICK/DEEP" reads "KICK DEEP" and not "KICKDEEP".
"""

from __future__ import annotations

import re
import unicodedata

SAMPLE_NAME_MAX = 23
PROJECT_NAME_MAX = 32
FALLBACK_NAME = "SAMPLE"

_UNSAFE = re.compile(r"[^A-Z0-9 _-]+")
_SPACES = re.compile(r" {2,}")
# Windows refuses these as file names whatever the extension, and people
# copy SD cards on Windows.
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in range(1, 10)]
    + [f"LPT{n}" for n in range(1, 10)]
)


def clean_name(
    text: str, *, max_length: int = SAMPLE_NAME_MAX, fallback: str = FALLBACK_NAME
) -> str:
    """Return `text` as a safe, uppercase ASCII name of 1..max_length characters."""
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").upper()
    name = _SPACES.sub(" ", _UNSAFE.sub(" ", ascii_text)).strip()
    name = name[:max_length].rstrip()
    if not name:
        # The fallback goes through the same rules so a bad fallback cannot leak.
        return clean_name(fallback, max_length=max_length) if fallback else "X"
    if name in _RESERVED:
        name = (name + "_")[:max_length] if len(name) < max_length else name[:-1] + "_"
    return name


def pad_display_name(text: str, *, max_length: int = SAMPLE_NAME_MAX) -> str:
    """Return `text` as the sampler shows a pad's sample name: printable ASCII, case kept.

    Unlike `clean_name` this never becomes a path, so punctuation and lower case stay
    (device files hold names such as "indust - houst kck - AR").
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    printable = "".join(ch if " " <= ch <= "~" else " " for ch in ascii_text)
    return printable.strip()[:max_length].rstrip() or FALLBACK_NAME


def project_name(text: str) -> str:
    """Return a safe project or kit folder name of at most 32 characters."""
    return clean_name(text, max_length=PROJECT_NAME_MAX, fallback="KIT")


def pad_sample_name(pad: int, text: str) -> str:
    """Return 'NN NAME' (at most 23 characters) so alphabetical order is pad order."""
    if not 1 <= pad <= 99:
        raise ValueError(f"pad number must be 1..99, got {pad}")
    prefix = f"{pad:02d} "
    return prefix + clean_name(text, max_length=SAMPLE_NAME_MAX - len(prefix))


class FolderNames:
    """Hands out names that are unique within one folder, case-insensitively."""

    def __init__(self, max_length: int = SAMPLE_NAME_MAX) -> None:
        self._max_length = max_length
        self._taken: set[str] = set()

    def claim(self, name: str) -> str:
        """Return `name`, or `name~N` cut to fit, whichever is still free."""
        candidate = clean_name(name, max_length=self._max_length)
        counter = 1
        # FAT compares names without case; our names are uppercase, but the
        # caller's may not be, so compare folded.
        while candidate.casefold() in self._taken:
            counter += 1
            suffix = f"~{counter}"
            base = clean_name(name, max_length=self._max_length - len(suffix))
            candidate = base.rstrip() + suffix
        self._taken.add(candidate.casefold())
        return candidate
