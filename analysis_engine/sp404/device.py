"""Reading what an SP-404MK2 writes: `PADCONF.BIN` and `SMPL/*.SMP` of a project folder.

Every check names the file and the byte offset it fails at, because the bytes come from a
producer's upload and a clear refusal is the only useful answer to a damaged card.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis_engine.sp404 import offsets as o
from analysis_engine.sp404.errors import Sp404FormatError
from analysis_engine.sp404.layout import (
    BANKS,
    MAX_BPM,
    MAX_MUTE_GROUP,
    PAD_COUNT,
    pad_from_index,
)
from analysis_engine.sp404.padconf import speed_for_pitch
from analysis_engine.sp404.smp import smp_checksum

PITCH_RANGE = 12
# Device pad tempos seen in files go below the 40 BPM an export accepts; keep what is sane.
MIN_DEVICE_BPM = 20.0


class DeviceFileError(Sp404FormatError):
    """A file of the device project is damaged or not what its name says."""

    def __init__(self, file: str, offset: int, problem: str) -> None:
        super().__init__(f"{file}: {problem} (at byte offset {offset}, 0x{offset:X}).")
        self.file = file
        self.offset = offset


@dataclass(frozen=True)
class DevicePad:
    """One 172-byte pad record, its name and chop marks, as the device wrote them."""

    index: int
    record: bytes
    name: str
    marks: tuple[int, ...]

    def word(self, field: int, *, signed: bool = False) -> int:
        """The u32 (or signed) field at `field` of the record."""
        value: int = struct.unpack_from(">i" if signed else ">I", self.record, field)[0]
        return value

    @property
    def used(self) -> bool:
        """Whether a sample sits on the pad (its `.SMP` size is set)."""
        return self.file_size != 0

    @property
    def bank(self) -> str:
        """Bank letter A..J."""
        return pad_from_index(self.index)[0]

    @property
    def pad(self) -> int:
        """Pad number 1..16."""
        return pad_from_index(self.index)[1]

    @property
    def label(self) -> str:
        """The pad as the sampler shows it, e.g. 'A-01'."""
        return f"{self.bank}-{self.pad:02d}"

    @property
    def smp_name(self) -> str:
        """The pad's sample file, e.g. 'BANK1-01.SMP'."""
        return f"BANK{BANKS.index(self.bank) + 1}-{self.pad:02d}.SMP"

    @property
    def file_size(self) -> int:
        return self.word(o.PAD_FILE_SIZE)

    @property
    def start(self) -> int:
        return self.word(o.PAD_START)

    @property
    def end(self) -> int:
        return self.word(o.PAD_END)

    @property
    def loop_start(self) -> int:
        return self.word(o.PAD_LOOP_START)

    @property
    def volume(self) -> int:
        return self.word(o.PAD_VOLUME)

    @property
    def gate(self) -> bool:
        return self.word(o.PAD_GATE) != 0

    @property
    def loop(self) -> bool:
        return self.word(o.PAD_LOOP) == o.LOOP_ON

    @property
    def one_shot(self) -> bool:
        return bool(self.word(o.PAD_FLAGS) & o.FLAG_ONE_SHOT)

    @property
    def mute_group(self) -> int:
        return self.word(o.PAD_MUTE_GROUP)

    @property
    def bpm_sync(self) -> bool:
        return self.word(o.PAD_BPM_SYNC) != 0

    @property
    def bpm(self) -> float:
        return self.word(o.PAD_BPM) / o.PAD_BPM_SCALE

    @property
    def vinyl(self) -> bool:
        return self.word(o.PAD_VINYL) != 0

    @property
    def speed(self) -> int:
        return self.word(o.PAD_SPEED)

    @property
    def pan(self) -> int:
        return self.word(o.PAD_PAN)

    def frames(self, channels: int) -> tuple[int, int]:
        """Start and end as frames of the pad's sample (end exclusive)."""
        width = channels * 2
        return (
            (self.start - o.SMP_AUDIO_OFFSET) // width,
            (self.end - o.SMP_AUDIO_OFFSET) // width,
        )

    def pitch(self) -> tuple[int, bool]:
        """The pitch in whole semitones, and whether that is exactly what the pad holds.

        With vinyl on the device keeps pitch as speed; with vinyl off in the semitone field.
        """
        if not self.vinyl:
            semitones = self.word(o.PAD_PITCH, signed=True)
            exact = self.word(o.PAD_FINE, signed=True) == 0
        else:
            ratio = max(self.speed, 1) / o.SPEED_SCALE
            semitones = round(12 * math.log2(ratio))
            exact = speed_for_pitch(semitones) == self.speed
        clamped = max(-PITCH_RANGE, min(PITCH_RANGE, semitones))
        return clamped, exact and clamped == semitones


@dataclass(frozen=True)
class DeviceProject:
    """A parsed PADCONF.BIN."""

    name: str
    tempo_select: int
    bpm: float
    bank_bpms: tuple[float, ...]
    bank_levels: tuple[int, ...]
    pads: tuple[DevicePad, ...]

    @property
    def used_pads(self) -> list[DevicePad]:
        """The pads with a sample, in grid order."""
        return [pad for pad in self.pads if pad.used]


@dataclass(frozen=True)
class DeviceSample:
    """A parsed `.SMP`: 16-bit 48 kHz PCM, frames x channels."""

    pcm: npt.NDArray[np.int16]

    @property
    def channels(self) -> int:
        return int(self.pcm.shape[1])

    @property
    def frames(self) -> int:
        return int(self.pcm.shape[0])


def _u32(data: bytes, offset: int) -> int:
    value: int = struct.unpack_from(">I", data, offset)[0]
    return value


def read_padconf(data: bytes, file: str = "PADCONF.BIN") -> DeviceProject:
    """Parse and check a PADCONF.BIN; DeviceFileError names the first bad byte."""
    if len(data) < o.PADCONF_SIZE:
        raise DeviceFileError(
            file,
            len(data),
            f"truncated: {o.PADCONF_SIZE} bytes expected, it ends after {len(data)}",
        )
    if len(data) > o.PADCONF_SIZE:
        raise DeviceFileError(
            file, o.PADCONF_SIZE, f"longer than the {o.PADCONF_SIZE} bytes expected"
        )
    if data[0:4] != o.PADCONF_MAGIC:
        raise DeviceFileError(file, 0, "not a PADCONF file (no RFPD signature)")
    if _u32(data, o.HEADER_PAD_COUNT) != o.PAD_COUNT_VALUE:
        raise DeviceFileError(file, o.HEADER_PAD_COUNT, "pad count is not 160")
    if data[o.HEADER_TEMPO_SELECT] not in (o.TEMPO_SELECT_BANK, o.TEMPO_SELECT_PROJECT):
        raise DeviceFileError(file, o.HEADER_TEMPO_SELECT, "tempo select is neither 0 nor 1")
    bpm = struct.unpack_from(">H", data, o.HEADER_PROJECT_BPM)[0] / o.PROJECT_BPM_SCALE
    _check_bpm(file, o.HEADER_PROJECT_BPM, bpm, "project tempo")
    bank_bpms = []
    for bank in range(len(BANKS)):
        offset = o.HEADER_BANK_BPMS + 4 * bank
        value = _u32(data, offset) / o.BANK_BPM_SCALE
        _check_bpm(file, offset, value, f"bank {BANKS[bank]} tempo")
        bank_bpms.append(value)
    levels = [0] * len(BANKS)
    for slot, bank in enumerate(o.BANK_LEVEL_ORDER):
        offset = o.HEADER_BANK_LEVELS + 2 * slot
        stored = struct.unpack_from(">H", data, offset)[0]
        if stored > o.BANK_LEVEL_MAX:
            raise DeviceFileError(file, offset, f"bank {BANKS[bank]} level is out of range")
        levels[bank] = o.BANK_LEVEL_MAX - stored
    name = _text(data[o.HEADER_NAME : o.HEADER_NAME + o.HEADER_NAME_LENGTH])
    pads = tuple(_read_pad(data, file, index) for index in range(PAD_COUNT))
    return DeviceProject(
        name=name,
        tempo_select=data[o.HEADER_TEMPO_SELECT],
        bpm=bpm,
        bank_bpms=tuple(bank_bpms),
        bank_levels=tuple(levels),
        pads=pads,
    )


def _text(raw: bytes) -> str:
    text = raw.split(b"\x00", 1)[0].decode("ascii", "replace")
    return "".join(ch if " " <= ch <= "~" else " " for ch in text).strip()


def _check_bpm(file: str, offset: int, bpm: float, what: str) -> None:
    if not MIN_DEVICE_BPM <= bpm <= MAX_BPM:
        raise DeviceFileError(
            file, offset, f"{what} {bpm:g} BPM is outside {MIN_DEVICE_BPM:g}-{MAX_BPM:g}"
        )


def _read_pad(data: bytes, file: str, index: int) -> DevicePad:
    record_at = o.PAD_RECORDS + index * o.PAD_RECORD_SIZE
    name_at = o.PAD_NAMES + index * o.PAD_NAME_SIZE
    marks_at = o.MARKS + index * o.MARK_BLOCK_SIZE
    marks = struct.unpack_from(f">{o.MARK_SLOTS}I", data, marks_at)
    pad = DevicePad(
        index=index,
        record=bytes(data[record_at : record_at + o.PAD_RECORD_SIZE]),
        name=_text(data[name_at : name_at + o.PAD_NAME_SIZE]),
        marks=tuple(m for m in marks if m != o.MARK_EMPTY),
    )
    if pad.used:
        _check_pad(pad, file, record_at)
    return pad


def _check_pad(pad: DevicePad, file: str, at: int) -> None:
    def bad(field: int, problem: str) -> DeviceFileError:
        return DeviceFileError(file, at + field, f"pad {pad.label}: {problem}")

    if pad.file_size <= o.SMP_AUDIO_OFFSET:
        raise bad(o.PAD_FILE_SIZE, "sample size is smaller than an empty .SMP")
    for field, value, what in (
        (o.PAD_START, pad.start, "start"),
        (o.PAD_END, pad.end, "end"),
        (o.PAD_LOOP_START, pad.loop_start, "loop start"),
    ):
        if not o.SMP_AUDIO_OFFSET <= value <= pad.file_size:
            raise bad(field, f"{what} {value} lies outside its sample")
    if pad.end <= pad.start:
        raise bad(o.PAD_END, "end is not after start")
    if pad.volume > 127:
        raise bad(o.PAD_VOLUME, f"volume {pad.volume} is above 127")
    if pad.mute_group > MAX_MUTE_GROUP:
        raise bad(o.PAD_MUTE_GROUP, f"mute group {pad.mute_group} is out of range")
    if not MIN_DEVICE_BPM <= pad.bpm <= MAX_BPM:
        raise bad(o.PAD_BPM, f"tempo {pad.bpm:g} BPM is out of range")
    if pad.pan > 127:
        raise bad(o.PAD_PAN, f"pan {pad.pan} is above 127")
    if pad.vinyl and pad.speed == 0:
        raise bad(o.PAD_SPEED, "speed is 0")


def read_smp(data: bytes, file: str, *, expected_size: int | None = None) -> DeviceSample:
    """Parse and check a `.SMP`; DeviceFileError names the first bad byte."""
    if len(data) < o.SMP_AUDIO_OFFSET:
        raise DeviceFileError(
            file, len(data), f"truncated: the 512-byte header ends after {len(data)} bytes"
        )
    if data[0:4] != o.SMP_MAGIC:
        raise DeviceFileError(file, 0, "not an SP-404MK2 sample (no RFWV signature)")
    declared = _u32(data, o.SMP_SIZE_FIELD) + 8
    if declared > len(data):
        raise DeviceFileError(
            file,
            len(data),
            f"truncated: the header says {declared} bytes, the file has {len(data)}",
        )
    if declared != len(data):
        raise DeviceFileError(
            file, o.SMP_SIZE_FIELD, f"size field says {declared} bytes, the file has {len(data)}"
        )
    if _u32(data, o.SMP_RATE_FIELD) != o.SMP_SAMPLE_RATE:
        raise DeviceFileError(file, o.SMP_RATE_FIELD, "sample rate is not 48000")
    channels = _u32(data, o.SMP_CHANNELS_FIELD)
    if channels not in (1, 2):
        raise DeviceFileError(file, o.SMP_CHANNELS_FIELD, f"{channels} channels (1 or 2 expected)")
    if _u32(data, o.SMP_BITS_FIELD) != o.SMP_BITS:
        raise DeviceFileError(file, o.SMP_BITS_FIELD, "bits per sample is not 16")
    if data[o.SMP_MD5_FIELD : o.SMP_MD5_FIELD + 16] != smp_checksum(data):
        raise DeviceFileError(file, o.SMP_MD5_FIELD, "header checksum (MD5) does not match")
    audio_bytes = len(data) - o.SMP_AUDIO_OFFSET
    if audio_bytes == 0 or audio_bytes % (2 * channels):
        raise DeviceFileError(file, len(data), "the audio does not end on a whole frame")
    if expected_size is not None and expected_size != len(data):
        raise DeviceFileError(
            file,
            len(data),
            f"PADCONF.BIN gives its size as {expected_size} bytes, it has {len(data)}",
        )
    pcm = np.frombuffer(data, dtype=">i2", offset=o.SMP_AUDIO_OFFSET).astype(np.int16)
    return DeviceSample(pcm=pcm.reshape(-1, channels))
