"""`PADCONF.BIN`, the pad table of a native SP-404MK2 project (beta).

Every byte that does not carry the producer's data is what a real device writes
(`offsets.py` lists the evidence); the tests hold whole records against device files.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from analysis_engine.sp404 import offsets as o
from analysis_engine.sp404.layout import PAD_COUNT, PadSettings, ProjectSettings
from analysis_engine.sp404.names import PROJECT_NAME_MAX, clean_name, pad_display_name


@dataclass(frozen=True)
class PadSample:
    """A pad with a sample on it: its settings, name and audio size."""

    settings: PadSettings
    name: str
    frames: int
    channels: int

    def __post_init__(self) -> None:
        if self.frames < 0:
            raise ValueError("frames must not be negative")
        if self.channels not in (1, 2):
            raise ValueError(f"channels must be 1 or 2, got {self.channels}")

    @property
    def span(self) -> tuple[int, int]:
        """The frames the pad plays, start inclusive and end exclusive, within the sample."""
        # An export may have trimmed the audio since the points were set: keep them inside it.
        end = min(self.settings.end if self.settings.end is not None else self.frames, self.frames)
        start = min(self.settings.start or 0, max(end - 1, 0))
        return start, end

    def byte_offset(self, frame: int) -> int:
        """Where `frame` starts in the pad's `.SMP` file."""
        return o.SMP_AUDIO_OFFSET + frame * self.channels * 2


def speed_for_pitch(semitones: int, cents: int = 0) -> int:
    """The speed field (x10000) for a pitch shift with vinyl on, cut to an integer as the
    device does (-3 semitones is 8408 in a device file)."""
    return math.floor(2 ** ((semitones + cents / 100) / 12) * o.SPEED_SCALE)


def confirmed_mute_group(group: int) -> int:
    """The mute group written to the file: groups no device file shows yet become none."""
    return group if group <= o.MAX_CONFIRMED_MUTE_GROUP else 0


def build_padconf(project: ProjectSettings, pads: Iterable[PadSample]) -> bytes:
    """Return the 52,000-byte PADCONF.BIN for `project` with `pads` assigned."""
    data = bytearray(o.PADCONF_SIZE)
    _write_header(data, project)
    assigned: dict[int, PadSample] = {}
    for pad in pads:
        if pad.settings.index in assigned:
            raise ValueError(f"pad {pad.settings.label} is assigned twice")
        assigned[pad.settings.index] = pad
    for index in range(PAD_COUNT):
        record = o.PAD_RECORDS + index * o.PAD_RECORD_SIZE
        sample = assigned.get(index)
        _write_defaults(data, record)
        if sample is not None:
            _write_pad(data, record, sample)
        _write_pad_name(data, index, sample.name if sample else None)
        _write_marks(data, index)
    return bytes(data)


def _write_header(data: bytearray, project: ProjectSettings) -> None:
    data[0:4] = o.PADCONF_MAGIC
    struct.pack_into(">I", data, o.HEADER_PAD_COUNT, o.PAD_COUNT_VALUE)
    struct.pack_into(">I", data, o.HEADER_VERSION, o.VERSION_VALUE)
    struct.pack_into(">I", data, o.HEADER_TABLE_SIZE, o.TABLE_SIZE_VALUE)
    data[o.HEADER_TEMPO_SELECT] = o.TEMPO_SELECT_BANK
    struct.pack_into(">H", data, o.HEADER_PROJECT_BPM, round(project.bpm * o.PROJECT_BPM_SCALE))
    for offset, value in o.HEADER_CONSTANTS:
        struct.pack_into(">I", data, offset, value)
    for bank, bpm in enumerate(project.bank_bpms):
        struct.pack_into(">I", data, o.HEADER_BANK_BPMS + 4 * bank, round(bpm * o.BANK_BPM_SCALE))
    for slot, bank in enumerate(o.BANK_LEVEL_ORDER):
        level = o.BANK_LEVEL_MAX - project.bank_levels[bank]
        struct.pack_into(">H", data, o.HEADER_BANK_LEVELS + 2 * slot, level)
    name = clean_name(project.name, max_length=PROJECT_NAME_MAX, fallback="PROJECT")
    encoded = name.encode("ascii").ljust(o.HEADER_NAME_LENGTH, b"\x00")
    data[o.HEADER_NAME : o.HEADER_NAME + o.HEADER_NAME_LENGTH] = encoded


def _put(data: bytearray, record: int, field: int, value: int, *, signed: bool = False) -> None:
    struct.pack_into(">i" if signed else ">I", data, record + field, value)


def _write_defaults(data: bytearray, record: int) -> None:
    """An unused pad exactly as the device writes it; a used pad starts from the same."""
    _put(data, record, o.PAD_VOLUME, o.DEFAULT_VOLUME)
    _put(data, record, o.PAD_GATE, o.DEFAULT_GATE)
    _put(data, record, o.PAD_CONST_1, o.CONST_1_VALUE)
    _put(data, record, o.PAD_BPM, round(o.DEFAULT_PAD_BPM * o.PAD_BPM_SCALE))
    _put(data, record, o.PAD_SPEED, o.DEFAULT_SPEED)
    _put(data, record, o.PAD_VINYL, o.DEFAULT_VINYL)
    _put(data, record, o.PAD_PAN, o.DEFAULT_PAN)
    _put(data, record, o.PAD_BUS, o.DEFAULT_BUS)
    _put(data, record, o.PAD_ROLL, o.DEFAULT_ROLL)
    _put(data, record, o.PAD_ATTACK, o.DEFAULT_ATTACK)
    _put(data, record, o.PAD_HOLD, o.DEFAULT_HOLD)
    _put(data, record, o.PAD_RELEASE, o.DEFAULT_RELEASE)


def _write_pad(data: bytearray, record: int, sample: PadSample) -> None:
    pad = sample.settings
    start, end = sample.span
    _put(data, record, o.PAD_FILE_SIZE, sample.byte_offset(sample.frames))
    _put(data, record, o.PAD_START, sample.byte_offset(start))
    _put(data, record, o.PAD_END, sample.byte_offset(end))
    # The device moves the loop point along with the start.
    _put(data, record, o.PAD_LOOP_START, sample.byte_offset(start))
    _put(data, record, o.PAD_VOLUME, pad.volume)
    # The device clears gate when one-shot is set.
    _put(data, record, o.PAD_GATE, int(pad.gate and not pad.one_shot))
    _put(data, record, o.PAD_LOOP, o.LOOP_ON if pad.loop else 0)
    _put(data, record, o.PAD_MUTE_GROUP, confirmed_mute_group(pad.mute_group))
    _put(data, record, o.PAD_BPM_SYNC, int(pad.bpm_sync))
    bpm = pad.bpm if pad.bpm is not None else o.DEFAULT_PAD_BPM
    _put(data, record, o.PAD_BPM, round(bpm * o.PAD_BPM_SCALE))
    _put(data, record, o.PAD_FLAGS, o.FLAG_ONE_SHOT if pad.one_shot else 0)
    # Vinyl is on (the device default), so pitch is stored as speed.
    _put(data, record, o.PAD_SPEED, speed_for_pitch(pad.pitch, pad.fine))
    _put(data, record, o.PAD_PAN, pad.pan)


def _write_pad_name(data: bytearray, index: int, name: str | None) -> None:
    if name is None:
        # An unused pad's name is 23 spaces and a NUL in every device file.
        encoded = b" " * o.PAD_NAME_CHARS + b"\x00"
    else:
        text = pad_display_name(name, max_length=o.PAD_NAME_CHARS)
        encoded = text.encode("ascii").ljust(o.PAD_NAME_SIZE, b"\x00")
    start = o.PAD_NAMES + index * o.PAD_NAME_SIZE
    data[start : start + o.PAD_NAME_SIZE] = encoded


def _write_marks(data: bytearray, index: int) -> None:
    start = o.MARKS + index * o.MARK_BLOCK_SIZE
    empty = struct.pack(">I", o.MARK_EMPTY) * o.MARK_SLOTS
    # The remaining 64 bytes of the block stay zero.
    data[start : start + len(empty)] = empty
