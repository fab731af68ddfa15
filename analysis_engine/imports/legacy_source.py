"""The old single-user app's library: its `samples` rows (whatever columns that version had)
and its files on disk, read and checked without writing anything."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from analysis_engine.samples.formats import BrokenAudio, check_audio, sniff
from analysis_engine.samples.upload import MAX_TAG_LENGTH, MAX_TAGS

# Every column any version of the old app had; `key` is the older name of `musical_key`.
KNOWN_COLUMNS = (
    "id",
    "title",
    "file_path",
    "genre",
    "bpm",
    "musical_key",
    "key",
    "tags",
    "bpm_confidence",
    "key_confidence",
    "extra_metadata",
)
# The table the search path finds as `samples`, and its columns.
COLUMNS_SQL = """
select c.column_name
from information_schema.columns c
where c.table_name = 'samples'
  and c.table_schema = (select n.nspname
                          from pg_class t join pg_namespace n on n.oid = t.relnamespace
                         where t.oid = to_regclass('samples'))
"""
# Whole rows as JSON: no column list to assemble, whichever columns this version has.
ROWS_SQL = "select to_jsonb(s) as row from samples s"
_KEY = re.compile(r"^\s*([A-Ga-g])\s*(#|b|♯|♭)?\s*(major|maj|minor|min|m)?\s*$")
BPM_RANGE = (20.0, 400.0)


class LegacyImportError(Exception):
    """A problem with the command's input (database, folder, user); printed as one line."""


@dataclass
class LegacyFile:
    """One old sample: what the old app knew, where its file is, and what is wrong with it."""

    legacy_id: str | None
    title: str
    file_path: str
    genre: str | None
    tags: list[str]
    bpm: float | None
    musical_key: str | None
    legacy: dict[str, Any]
    path: Path | None = None
    size: int = 0
    sha256: str = ""
    format: str | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


async def read_rows(database_url: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns the old `samples` table has that we know, and its rows as dicts."""
    try:
        conn = await asyncpg.connect(database_url)
    except (OSError, asyncpg.PostgresError, ValueError) as exc:
        raise LegacyImportError(f"cannot connect to the old database: {exc}") from exc
    try:
        columns = {r["column_name"] for r in await conn.fetch(COLUMNS_SQL)}
        if not columns:
            raise LegacyImportError("the old database has no `samples` table")
        if "file_path" not in columns:
            raise LegacyImportError("the old `samples` table has no `file_path` column")
        rows = [json.loads(r["row"]) for r in await conn.fetch(ROWS_SQL)]
    except asyncpg.PostgresError as exc:
        raise LegacyImportError(f"cannot read the old database: {exc}") from exc
    finally:
        await conn.close()
    rows.sort(key=lambda row: (str(type(row.get("id"))), row.get("id") or 0))
    return [c for c in KNOWN_COLUMNS if c in columns], rows


def normalize_key(raw: Any) -> str | None:
    """'Am', 'F# min', 'Eb' -> 'A minor', 'F# minor', 'Eb major'; None when unrecognised."""
    match = _KEY.match(str(raw)) if raw is not None else None
    if match is None:
        return None
    note, accidental, mode = match.groups()
    accidental = {"♯": "#", "♭": "b"}.get(accidental or "", accidental or "")
    minor = mode is not None and mode.startswith("m") and mode not in ("maj", "major")
    return f"{note.upper()}{accidental} {'minor' if minor else 'major'}"


def _float(raw: Any) -> float | None:
    try:
        return None if raw is None or raw == "" else float(raw)
    except (TypeError, ValueError):
        return None


def _tags(raw: Any, warnings: list[str]) -> list[str]:
    if isinstance(raw, str) and raw.strip().startswith("["):
        try:
            raw = json.loads(raw)
        except ValueError:
            pass
    parts = raw if isinstance(raw, list) else str(raw or "").split(",")
    tags: list[str] = []
    for part in parts:
        tag = " ".join(str(part).split()).lower()
        if len(tag) > MAX_TAG_LENGTH:
            warnings.append(f"tag {tag[:20]!r}... is longer than {MAX_TAG_LENGTH} characters")
        elif tag and "," not in tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        warnings.append(f"only the first {MAX_TAGS} of {len(tags)} tags are kept")
    return tags[:MAX_TAGS]


def describe(row: dict[str, Any]) -> LegacyFile:
    """An old row as the import will store it (values it cannot use are kept in `legacy`)."""
    warnings: list[str] = []
    file_path = str(row.get("file_path") or "")
    raw_key = row.get("musical_key", row.get("key"))
    bpm = _float(row.get("bpm"))
    if bpm is not None and not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
        warnings.append(f"bpm {bpm:g} is out of range; kept in the metadata only")
        bpm = None
    key = normalize_key(raw_key)
    if raw_key not in (None, "") and key is None:
        warnings.append(f"key {raw_key!r} is not recognised; kept in the metadata only")
    extra = row.get("extra_metadata")
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except ValueError:
            extra = {"text": extra}
    legacy = {
        "id": row.get("id"),
        "file_path": file_path,
        "bpm": row.get("bpm"),
        "musical_key": raw_key,
        "bpm_confidence": _float(row.get("bpm_confidence")),
        "key_confidence": _float(row.get("key_confidence")),
        "tags": row.get("tags"),
        "extra_metadata": extra,
    }
    title = (
        " ".join(str(row.get("title") or "").split())[:200] or Path(file_path).stem or "Untitled"
    )
    genre = " ".join(str(row.get("genre") or "").split())[:60] or None
    return LegacyFile(
        legacy_id=None if row.get("id") is None else str(row["id"]),
        title=title, file_path=file_path, genre=genre, tags=_tags(row.get("tags"), warnings),
        bpm=bpm, musical_key=key, legacy=legacy, warnings=warnings,
    )  # fmt: skip


def locate(file_path: str, root: Path) -> Path:
    """The file a row names, inside `root` (resolved: links may not lead out of it either)."""
    if not file_path or "\x00" in file_path:
        raise ValueError("no file path")
    raw = Path(file_path)
    resolved = (raw if raw.is_absolute() else root / raw).resolve()
    if not resolved.is_relative_to(root):
        raise PermissionError("the path leads outside --files-root (refused)")
    return resolved


def check_file(item: LegacyFile, root: Path, max_bytes: int) -> None:
    """Fill in path, size, sha256 and format, or the problems that stop this file (blocking I/O)."""
    try:
        item.path = locate(item.file_path, root)
    except (ValueError, PermissionError) as exc:
        item.problems.append(str(exc))
        return
    if not item.path.is_file():
        item.problems.append("file not found")
        return
    item.size = item.path.stat().st_size
    if item.size == 0:
        item.problems.append("the file is empty")
        return
    if item.size > max_bytes:
        item.problems.append(f"larger than the {max_bytes // 1024**2} MB per-file limit")
        return
    digest = hashlib.sha256()
    with item.path.open("rb") as handle:
        head = handle.read(64)
        digest.update(head)
        while chunk := handle.read(1024**2):
            digest.update(chunk)
    item.sha256 = digest.hexdigest()
    item.format = sniff(head)
    if item.format is None:
        item.problems.append("not a supported audio file (WAV, AIFF, FLAC, OGG or MP3)")
        return
    try:
        check_audio(item.path, item.format)
    except BrokenAudio as exc:
        item.problems.append(exc.message)
