"""The IMPORT kit pack: a folder per bank the sampler imports, a pad map and MIDI.

Layout inside the zip (unzip onto the SD card root):

    IMPORT/<KIT>/BANK A/01 KICK DEEP.WAV   audio, pad number first
    IMPORT/<KIT>/PADMAP.txt                 which sound sits on which pad
    IMPORT/<KIT>/MIDI/BANK A.mid            plays each used pad of a bank once
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from analysis_engine.sp404.archive import (
    AUDIO_EXTENSIONS,
    IMPORT_ROOT,
    AudioFormat,
    DateTime,
    PackReport,
    PackWriter,
)
from analysis_engine.sp404.convert import ConvertOptions, convert_audio
from analysis_engine.sp404.layout import BANKS, ProjectSettings
from analysis_engine.sp404.midi import bank_midi
from analysis_engine.sp404.names import pad_sample_name, project_name
from analysis_engine.sp404.sources import KitSample

PADMAP_NAME = "PADMAP.txt"
MIDI_FOLDER = "MIDI"


@dataclass(frozen=True)
class PadMapRow:
    """One line of PADMAP.txt."""

    bank: str
    pad: int
    file_name: str
    title: str
    bpm: float | None
    key: str | None


def bank_folder(bank: str) -> str:
    """Return the folder name of a bank, e.g. 'BANK A'."""
    return f"BANK {bank}"


def write_import_pack(
    target: IO[bytes],
    kit: ProjectSettings,
    samples: Iterable[KitSample],
    *,
    options: ConvertOptions | None = None,
    audio_format: AudioFormat = "wav",
    date_time: DateTime | None = None,
) -> PackReport:
    """Write a kit as an IMPORT folder pack into a zip on `target`."""
    kit_folder = project_name(kit.name)
    extension = AUDIO_EXTENSIONS[audio_format]
    rows: list[PadMapRow] = []
    used: set[int] = set()
    with PackWriter(target, date_time=date_time) as pack:
        for sample in samples:
            if sample.pad.index in used:
                raise ValueError(f"pad {sample.pad.label} is assigned twice")
            used.add(sample.pad.index)
            converted = convert_audio(sample.audio, sample.sample_rate, options)
            stem = pad_sample_name(sample.pad.pad, sample.name)
            parts = (IMPORT_ROOT, kit_folder, bank_folder(sample.pad.bank), stem + extension)
            name = pack.add_audio(parts, converted.pcm, audio_format)
            pack.report.note(name, converted)
            info = sample.info
            bpm = info.bpm if info.bpm is not None else sample.pad.bpm
            rows.append(
                PadMapRow(
                    sample.pad.bank, sample.pad.pad, stem + extension, info.title, bpm, info.key
                )
            )
        pack.add_text((IMPORT_ROOT, kit_folder, PADMAP_NAME), render_padmap(kit_folder, kit, rows))
        for bank in BANKS:
            pads = [row.pad for row in rows if row.bank == bank]
            if pads:
                midi = bank_midi(bank, pads, kit.bpm)
                parts = (IMPORT_ROOT, kit_folder, MIDI_FOLDER, f"{bank_folder(bank)}.mid")
                pack.add_bytes(parts, midi)
    return pack.report


def _cell(text: str, width: int) -> str:
    # Titles are the user's own text: keep any language, drop control characters
    # so a title cannot break the table's lines.
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    if len(printable) > width:
        printable = printable[: width - 1] + "…"
    return printable.ljust(width)


def render_padmap(kit_folder: str, kit: ProjectSettings, rows: Iterable[PadMapRow]) -> str:
    """Return the readable pad table written as PADMAP.txt."""
    ordered = sorted(rows, key=lambda row: (BANKS.index(row.bank), row.pad))
    lines = [
        f"SP-404MK2 kit: {kit_folder}",
        f"Tempo: {kit.bpm:g} BPM",
        "Copy the IMPORT folder to the SD card root, then import each BANK folder",
        "onto its bank (MIDI Mode A: bank A = channel 1 ... J = 10, pads on notes 36-51).",
        "",
        f"{'BANK':<5}{'PAD':<5}{_cell('FILE', 28)}{_cell('SOURCE TITLE', 40)}{'BPM':>7}  KEY",
    ]
    for row in ordered:
        bpm = f"{row.bpm:.1f}" if row.bpm is not None else "-"
        lines.append(
            f"{row.bank:<5}{row.pad:<5}{_cell(row.file_name, 28)}{_cell(row.title or '-', 40)}"
            f"{bpm:>7}  {_cell(row.key or '-', 16)}".rstrip()
        )
    if not ordered:
        lines.append("(no pads assigned)")
    return "\n".join(lines) + "\n"
