"""Import from the SP-404MK2: a ZIP of a project folder (or of a whole SD-card backup) becomes
samples and one kit per project, with the pads' settings, names and tempos.

The archive is read and every file checked before anything is stored, so a damaged file is a
422 naming it and the byte offset, and nothing is left behind. Samples then go through the
upload path (quota, checks, analysis job) one by one; if one is refused, or the kits cannot be
written, the samples already stored are deleted again (rows, blobs and quota).

What is read: `<folder>/PADCONF.BIN` with `<folder>/SMPL/BANKn-NN.SMP` (the device's project
layout), and `IMPORT/<KIT>/BANK <X>/<NN> <NAME>.WAV` (the layout of our IMPORT pack and of
files waiting for the device's own import).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.imports import archive
from analysis_engine.kits import create_kit_with_pads
from analysis_engine.samples.formats import check_audio, sniff
from analysis_engine.samples.service import delete_sample
from analysis_engine.samples.upload import clean_filename, ingest_local_file
from analysis_engine.sp404 import (
    MAX_BPM,
    MIN_BPM,
    DeviceFileError,
    DevicePad,
    read_padconf,
    read_smp,
    write_wav,
)
from sp404.core.db import tenant_tx
from sp404.core.errors import (
    AppError,
    BadRequest,
    PayloadTooLarge,
    QuotaExceeded,
    TooManyRequests,
    Unprocessable,
)
from sp404.core.queries import load_queries
from sp404.storage import MultipartStream, read_field

SQL = load_queries(Path(__file__).with_name("queries.sql"))
MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_PROJECTS = 16
DEVICE_TAG = "sp-404mk2"
PADCONF = "PADCONF.BIN"
# A producer's imports run one at a time (each holds its ZIP and WAVs on local disk while it
# runs); the lock expires by itself should an engine die holding it.
LOCK_KEY = "sp404:device-import:{user_id}"
LOCK_S = 30 * 60
# Deletes the lock only while it is still this import's.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
SLOT_WAIT_S = 0.5
SLOT_TRIES = 20
_IMPORT_WAV = re.compile(r"^(\d{1,2}) +(.+)\.wav$", re.IGNORECASE)
_BANK_FOLDER = re.compile(r"^BANK ([A-J])$", re.IGNORECASE)


class DeviceFileRefused(Unprocessable):
    """A file of the device project is damaged or not what its name says."""

    code = "bad_device_file"


class NoDeviceProject(Unprocessable):
    """The archive holds no SP-404MK2 project (a folder with PADCONF.BIN and SMPL/) and no
    IMPORT-style bank folders."""

    code = "no_device_project"


class DeviceImportRunning(TooManyRequests):
    """One SP-404MK2 import at a time: wait for the one running to finish."""

    code = "device_import_running"


class BadArchive(Unprocessable):
    """The archive cannot be read."""

    code = "bad_archive"


@dataclass
class PlannedPad:
    """One pad to create: its settings, the audio it gets, and where that came from."""

    bank: str
    pad: int
    name: str
    source: str
    wav: Path
    settings: dict[str, Any]
    bpm: float | None = None
    sample_id: uuid.UUID | None = None


@dataclass
class PlannedKit:
    """One project of the archive, checked and converted, waiting to be stored."""

    name: str
    bpm: float | None
    source: str
    pads: list[PlannedPad] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _norm(name: str) -> str:
    return "/".join(p for p in name.replace("\\", "/").split("/") if p not in ("", "."))


def _hidden(path: str) -> bool:
    return any(part == "__MACOSX" or part.startswith(".") for part in path.split("/"))


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, refused past its declared size or `limit` (a bomb's headers lie)."""
    shown = archive.display_path(info.filename)
    if info.flag_bits & 0x1:
        raise DeviceFileRefused(f"{shown}: the entry is encrypted.")
    if info.file_size > limit:
        raise PayloadTooLarge(f"{shown}: larger than the {limit // 1024**2} MB a file may be.")
    try:
        with zf.open(info) as source:
            data = source.read(min(info.file_size, limit) + 1)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise DeviceFileRefused(f"{shown}: the entry cannot be read from the ZIP ({exc}).") from exc
    if len(data) > info.file_size:
        raise BadArchive(f"{shown} expands past its declared size, as in a zip bomb.")
    return data


def _pad_settings(
    pad: DevicePad, channels: int, frames: int, notes: list[str], padconf: str
) -> dict[str, Any]:
    pitch, exact = pad.pitch()
    if not exact:
        notes.append(f"{pad.label}: pitch/speed rounded to {pitch:+d} semitones")
    start, end = pad.frames(channels)
    if end <= start or end > frames:
        at = 0xA0 + pad.index * 172 + 0x08
        error = DeviceFileError(padconf, at, f"pad {pad.label}: start and end leave no whole frame")
        raise DeviceFileRefused(str(error), details={"file": padconf, "offset": at})
    # A pad playing its whole sample carries no trim (the kit's default).
    trim = {} if (start, end) == (0, frames) else {"start": start, "end": end}
    return {
        **trim,
        "volume": pad.volume,
        "pitch": pitch,
        # The device clears gate for a one-shot pad; keep the kit saying the same.
        "gate": pad.gate and not pad.one_shot,
        "loop": pad.loop,
        "one_shot": pad.one_shot,
        "mute_group": pad.mute_group,
    }


def _plan_project(
    zf: zipfile.ZipFile, root: str, files: dict[str, zipfile.ZipInfo], workdir: Path, limit: int
) -> PlannedKit:
    padconf_path = f"{root}/{PADCONF}" if root else PADCONF
    info = files[padconf_path.upper()]
    shown = archive.display_path(info.filename)
    try:
        project = read_padconf(_read_entry(zf, info, 1024**2), shown)
    except DeviceFileError as exc:
        raise DeviceFileRefused(str(exc), details={"file": exc.file, "offset": exc.offset}) from exc
    folder = archive.display_path(PurePosixPath(root).name) if root else ""
    kit = PlannedKit(
        name=project.name or folder or "SP-404MK2 project",
        bpm=project.bpm if MIN_BPM <= project.bpm <= MAX_BPM else None,
        source=archive.display_path(root or "/"),
    )
    if len(set(project.bank_bpms)) > 1 or project.bank_bpms[0] != project.bpm:
        kit.notes.append("bank tempos differ from the project tempo; the kit keeps the project's")
    if any(level != 127 for level in project.bank_levels):
        kit.notes.append("bank levels are not kept (a kit has none)")
    for pad in project.used_pads:
        smp_path = "/".join(p for p in (root, "SMPL", pad.smp_name) if p)
        smp_info = files.get(smp_path.upper())
        record_at = 0xA0 + pad.index * 172
        if smp_info is None:
            raise DeviceFileRefused(
                f"{smp_path}: missing, but {shown} puts it on pad {pad.label} "
                f"(at byte offset {record_at}, 0x{record_at:X}).",
                details={"file": smp_path, "offset": record_at},
            )
        smp_shown = archive.display_path(smp_info.filename)
        try:
            sample = read_smp(
                _read_entry(zf, smp_info, limit), smp_shown, expected_size=pad.file_size
            )
        except DeviceFileError as exc:
            raise DeviceFileRefused(
                str(exc), details={"file": exc.file, "offset": exc.offset}
            ) from exc
        wav = workdir / f"pad-{uuid.uuid4().hex}.wav"
        with wav.open("xb") as out:
            write_wav(out, sample.pcm)
        kit.pads.append(
            PlannedPad(
                bank=pad.bank,
                pad=pad.pad,
                name=pad.name or pad.smp_name.removesuffix(".SMP"),
                source=smp_shown,
                wav=wav,
                settings=_pad_settings(pad, sample.channels, sample.frames, kit.notes, shown),
                bpm=pad.bpm if MIN_BPM <= pad.bpm <= MAX_BPM else None,
            )
        )
    if not kit.pads:
        raise DeviceFileRefused(f"{shown}: the project has no pad with a sample.")
    return kit


def _plan_import_folders(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], workdir: Path, limit: int
) -> list[PlannedKit]:
    """Kits from `IMPORT/<KIT>/BANK <X>/<NN> <NAME>.WAV` files."""
    kits: dict[str, PlannedKit] = {}
    for info in infos:
        parts = _norm(info.filename).split("/")
        if len(parts) < 4 or parts[-4].upper() != "IMPORT":
            continue
        bank, wav_name = _BANK_FOLDER.match(parts[-2]), _IMPORT_WAV.match(parts[-1])
        if bank is None or wav_name is None or not 1 <= int(wav_name.group(1)) <= 16:
            continue
        kit = kits.setdefault(
            "/".join(parts[:-2]).upper(),
            PlannedKit(
                name=archive.display_path(parts[-3]),
                bpm=None,
                source=archive.display_path("/".join(parts[:-2])),
            ),
        )
        pad = (bank.group(1).upper(), int(wav_name.group(1)))
        if any((p.bank, p.pad) == pad for p in kit.pads):
            raise DeviceFileRefused(f"{archive.display_path(info.filename)}: a second file for pad "
                                    f"{pad[0]}-{pad[1]:02d}.")  # fmt: skip
        wav = workdir / f"pad-{uuid.uuid4().hex}.wav"
        wav.write_bytes(_read_entry(zf, info, limit))
        fmt = sniff(wav.read_bytes()[:64])
        shown = archive.display_path(info.filename)
        if fmt is None:
            raise DeviceFileRefused(f"{shown}: not an audio file.")
        try:
            check_audio(wav, fmt)
        except AppError as exc:
            raise DeviceFileRefused(f"{shown}: {exc.message}") from exc
        kit.pads.append(
            PlannedPad(
                bank=pad[0],
                pad=pad[1],
                name=archive.display_path(wav_name.group(2).strip()),
                source=shown,
                wav=wav,
                settings={},
            )
        )
    return list(kits.values())


def plan_archive(zip_path: Path, workdir: Path, *, max_file_bytes: int) -> list[PlannedKit]:
    """Every project of the archive, checked, with its audio converted to WAV in `workdir`."""
    try:
        zf = archive.open_archive(zip_path)
    except archive.ArchiveRefused as exc:
        raise BadArchive(str(exc)) from exc
    with zf:
        try:
            entries = archive.plan_entries(zf, max_entry_bytes=max_file_bytes)
        except archive.ArchiveRefused as exc:
            raise BadArchive(str(exc)) from exc
        infos = [e.info for e in entries if not _hidden(_norm(e.info.filename))]
        files = {_norm(i.filename).upper(): i for i in infos}
        roots = sorted(
            path.rsplit("/", 1)[0] if "/" in path else ""
            for path in (_norm(i.filename) for i in infos)
            if path.upper().rsplit("/", 1)[-1] == PADCONF
        )
        if len(roots) > MAX_PROJECTS:
            raise Unprocessable(f"The archive holds {len(roots)} projects; import at most "
                                f"{MAX_PROJECTS} at a time.")  # fmt: skip
        kits = [_plan_project(zf, root, files, workdir, max_file_bytes) for root in roots]
        # A card's IMPORT folder may hold bank folders waiting for the device's own import.
        kits += _plan_import_folders(zf, infos, workdir, max_file_bytes)
        if len(kits) > MAX_PROJECTS:
            raise Unprocessable(f"The archive holds {len(kits)} projects; import at most "
                                f"{MAX_PROJECTS} at a time.")  # fmt: skip
    if not kits:
        raise NoDeviceProject()
    return kits


async def _spool(content_type: str | None, body: AsyncIterator[bytes], dest: Path) -> str:
    """Write the multipart field `archive` to `dest`; returns its file name."""
    events = MultipartStream(content_type, body).events()
    filename, size, seen = "", 0, False
    with dest.open("xb") as out:  # each write below is offloaded
        async for kind, part in events:
            if kind != "part":
                continue
            if part.filename is None:
                await read_field(events)
                continue
            if part.name != "archive" or seen:
                raise BadRequest('Send exactly one file, in the field named "archive".')
            seen, filename = True, clean_filename(part.filename)
            async for event, payload in events:
                if event == "end":
                    break
                if event == "data" and payload:
                    size += len(payload)
                    if size > MAX_ARCHIVE_BYTES:
                        raise PayloadTooLarge(
                            f"Archives can be up to {MAX_ARCHIVE_BYTES // 1024**3} GB."
                        )
                    await asyncio.to_thread(out.write, payload)
    if not seen:
        raise Unprocessable('Attach the ZIP archive in a form field named "archive".')
    return filename


async def _ingest(ctx: Engine, user_id: uuid.UUID, pad: PlannedPad) -> dict[str, Any]:
    fields = {"title": pad.name, "tags": DEVICE_TAG}
    metadata: dict[str, Any] = {"device_import": {"pad": f"{pad.bank}-{pad.pad:02d}",
                                                  "file": pad.source}}  # fmt: skip
    if pad.bpm is not None:
        # The device's pad tempo is the producer's value: analysis keeps it, as after an edit.
        metadata["bpm_corrected"] = True
    for tries in range(1, SLOT_TRIES + 1):
        try:
            body, _ = await ingest_local_file(
                ctx, user_id=user_id, path=pad.wav, filename=f"{pad.bank}{pad.pad:02d}.wav",
                fields=fields, extra_metadata=metadata, allow_duplicates=True,
            )  # fmt: skip
            return body
        except QuotaExceeded as exc:
            # Another upload of the producer may hold their upload slot for a moment.
            if exc.details.get("quota") != "concurrent_uploads" or tries == SLOT_TRIES:
                raise
        await asyncio.sleep(SLOT_WAIT_S)
    raise AssertionError("unreachable")


async def _store(ctx: Engine, user_id: uuid.UUID, kits: list[PlannedKit]) -> dict[str, Any]:
    created: list[uuid.UUID] = []
    stored_bytes = 0
    try:
        for kit in kits:
            for pad in kit.pads:
                body = await _ingest(ctx, user_id, pad)
                pad.sample_id = uuid.UUID(str(body["sample_id"]))
                created.append(pad.sample_id)
                stored_bytes += int(body["size_bytes"])
        result = []
        async with tenant_tx(ctx.pool, user_id) as conn:
            for kit in kits:
                for pad in kit.pads:
                    if pad.bpm is not None:
                        await conn.execute(SQL["set_device_bpm"], pad.sample_id, pad.bpm)
                kit_id, name = await create_kit_with_pads(
                    conn, user_id=user_id, name=kit.name, bpm=kit.bpm,
                    description=f"Imported from an SP-404MK2 project ({kit.source}).",
                    pads=[{"bank": p.bank, "pad": p.pad, "sample_id": p.sample_id, **p.settings}
                          for p in kit.pads],
                )  # fmt: skip
                result.append((kit, kit_id, name))
    except BaseException:
        # Nothing partial: the samples stored so far go again, with their blobs and quota.
        for sample_id in created:
            await delete_sample(ctx, user_id=user_id, sample_id=sample_id)
        raise
    return {
        "kits": [_kit_view(kit, kit_id, name) for kit, kit_id, name in result],
        "samples": len(created),
        "stored_bytes": stored_bytes,
    }


def _kit_view(kit: PlannedKit, kit_id: uuid.UUID, name: str) -> dict[str, Any]:
    return {
        "kit_id": kit_id,
        "name": name,
        "bpm": kit.bpm,
        "source": kit.source,
        "pads": [
            {
                "bank": p.bank,
                "pad": p.pad,
                "label": f"{p.bank}-{p.pad:02d}",
                "name": p.name,
                "sample_id": p.sample_id,
                "bpm": p.bpm,
                "source": p.source,
            }
            for p in kit.pads
        ],
        "notes": kit.notes,
    }


async def import_device_archive(
    ctx: Engine,
    *,
    user_id: uuid.UUID,
    content_type: str | None,
    content_length: int | None,
    body: AsyncIterator[bytes],
) -> dict[str, Any]:
    """Read an uploaded project ZIP and store its samples and kits; returns the 201 body."""
    if content_length is not None and content_length > MAX_ARCHIVE_BYTES + 64 * 1024:
        raise PayloadTooLarge(f"Archives can be up to {MAX_ARCHIVE_BYTES // 1024**3} GB.")
    lock, token = LOCK_KEY.format(user_id=user_id), uuid.uuid4().hex
    if not await ctx.redis.set(lock, token, nx=True, ex=LOCK_S):
        raise DeviceImportRunning(retry_after=30)
    try:
        return await _import(ctx, user_id, content_type, body)
    finally:
        await ctx.redis.eval(_RELEASE, 1, lock, token)


async def _import(
    ctx: Engine, user_id: uuid.UUID, content_type: str | None, body: AsyncIterator[bytes]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sp404-device-") as tmp:
        workdir = Path(tmp)
        audio = workdir / "audio"
        audio.mkdir()
        zip_path = workdir / "upload.zip"
        await _spool(content_type, body, zip_path)
        if (await asyncio.to_thread(zip_path.stat)).st_size < 22:
            raise BadArchive("That is not a ZIP archive.")
        kits = await asyncio.to_thread(
            plan_archive, zip_path, audio, max_file_bytes=ctx.settings.max_upload_bytes
        )
        zip_path.unlink()
        return await _store(ctx, user_id, kits)
