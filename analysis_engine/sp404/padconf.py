"""`PADCONF.BIN`, the pad table of a native SP-404MK2 project (beta)."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

from analysis_engine.sp404 import offsets as o
from analysis_engine.sp404.layout import PAD_COUNT, PadSettings, ProjectSettings
from analysis_engine.sp404.names import PROJECT_NAME_MAX, SAMPLE_NAME_MAX, clean_name


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
        if sample is None:
            _write_empty_pad(data, record)
        else:
            _write_pad(data, record, sample)
        _write_pad_name(data, index, sample.name if sample else "")
        _write_marks(data, index)
    return bytes(data)


def _write_header(data: bytearray, project: ProjectSettings) -> None:
    data[0:4] = o.PADCONF_MAGIC
    struct.pack_into(">I", data, o.HEADER_PAD_COUNT, o.PAD_COUNT_VALUE)
    struct.pack_into(">I", data, o.HEADER_VERSION, o.VERSION_VALUE)
    struct.pack_into(">I", data, o.HEADER_TABLE_SIZE, o.TABLE_SIZE_VALUE)
    struct.pack_into(">H", data, o.HEADER_TEMPO_MODE, o.TEMPO_MODE_VALUE)
    struct.pack_into(">H", data, o.HEADER_PROJECT_BPM, round(project.bpm * o.PROJECT_BPM_SCALE))
    for bank, bpm in enumerate(project.bank_bpms):
        struct.pack_into(">H", data, o.HEADER_BANK_BPMS + 2 * bank, round(bpm * o.BANK_BPM_SCALE))
    for slot, bank in enumerate(o.BANK_LEVEL_ORDER):
        level = project.bank_levels[bank]
        data[o.HEADER_BANK_LEVELS + slot] = o.BANK_LEVEL_MAX - level
    name = clean_name(project.name, max_length=PROJECT_NAME_MAX, fallback="PROJECT")
    encoded = name.encode("ascii").ljust(o.HEADER_NAME_LENGTH, b"\x00")
    data[o.HEADER_NAME : o.HEADER_NAME + o.HEADER_NAME_LENGTH] = encoded


def _put(data: bytearray, record: int, field: int, value: int, *, signed: bool = False) -> None:
    struct.pack_into(">i" if signed else ">I", data, record + field, value)


def _write_common(data: bytearray, record: int) -> None:
    """Fields every pad carries whether or not a sample sits on it."""
    _put(data, record, o.PAD_CONST_1, o.CONST_1_VALUE)
    _put(data, record, o.PAD_SPEED, o.DEFAULT_SPEED)
    _put(data, record, o.PAD_VINYL, o.DEFAULT_VINYL)
    _put(data, record, o.PAD_BUS, o.DEFAULT_BUS)
    _put(data, record, o.PAD_CONST_2, o.CONST_2_VALUE)
    _put(data, record, o.PAD_ATTACK, o.DEFAULT_ATTACK)
    _put(data, record, o.PAD_HOLD, o.DEFAULT_HOLD)
    _put(data, record, o.PAD_RELEASE, o.DEFAULT_RELEASE)


def _write_empty_pad(data: bytearray, record: int) -> None:
    _write_common(data, record)
    _put(data, record, o.PAD_FILE_SIZE, 0)
    _put(data, record, o.PAD_START, o.SMP_AUDIO_OFFSET)
    _put(data, record, o.PAD_END, o.SMP_AUDIO_OFFSET)
    _put(data, record, o.PAD_LOOP_START, o.SMP_AUDIO_OFFSET)
    _put(data, record, o.PAD_VOLUME, o.DEFAULT_VOLUME)
    _put(data, record, o.PAD_BPM, round(o.DEFAULT_PAD_BPM * o.PAD_BPM_SCALE))
    _put(data, record, o.PAD_PAN, o.DEFAULT_PAN)


def _write_pad(data: bytearray, record: int, sample: PadSample) -> None:
    pad = sample.settings
    end = o.SMP_AUDIO_OFFSET + sample.frames * sample.channels * 2
    _write_common(data, record)
    _put(data, record, o.PAD_FILE_SIZE, end)
    _put(data, record, o.PAD_START, o.SMP_AUDIO_OFFSET)
    _put(data, record, o.PAD_END, end)
    _put(data, record, o.PAD_LOOP_START, o.SMP_AUDIO_OFFSET)
    _put(data, record, o.PAD_VOLUME, pad.volume)
    _put(data, record, o.PAD_GATE, int(pad.gate))
    _put(data, record, o.PAD_LOOP, o.LOOP_ON if pad.loop else 0)
    _put(data, record, o.PAD_MUTE_GROUP, pad.mute_group)
    _put(data, record, o.PAD_BPM_SYNC, int(pad.bpm_sync))
    bpm = pad.bpm if pad.bpm is not None else o.DEFAULT_PAD_BPM
    _put(data, record, o.PAD_BPM, round(bpm * o.PAD_BPM_SCALE))
    _put(data, record, o.PAD_FLAGS, o.FLAG_ONE_SHOT if pad.one_shot else 0)
    _put(data, record, o.PAD_PITCH, pad.pitch, signed=True)
    _put(data, record, o.PAD_FINE, pad.fine, signed=True)
    _put(data, record, o.PAD_PAN, pad.pan)


def _write_pad_name(data: bytearray, index: int, name: str) -> None:
    text = clean_name(name, max_length=SAMPLE_NAME_MAX) if name else ""
    encoded = text.encode("ascii").ljust(o.PAD_NAME_CHARS, b" ") + b"\x00"
    start = o.PAD_NAMES + index * o.PAD_NAME_SIZE
    data[start : start + o.PAD_NAME_SIZE] = encoded


def _write_marks(data: bytearray, index: int) -> None:
    start = o.MARKS + index * o.MARK_BLOCK_SIZE
    empty = struct.pack(">I", o.MARK_EMPTY) * o.MARK_SLOTS
    # The remaining 64 bytes of the block stay zero.
    data[start : start + len(empty)] = empty
