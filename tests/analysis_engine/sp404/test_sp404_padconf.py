"""PADCONF.BIN and .SMP files, read back by a reader written here from the published offsets.

The reader deliberately does not import the writer's constants: if both used the
same wrong offset, a shared constant would hide it.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from analysis_engine.sp404 import PadSample, PadSettings, ProjectSettings, build_padconf, write_smp

PAD_FIELDS = {
    "file_size": 0x00,
    "start": 0x04,
    "end": 0x08,
    "volume": 0x0C,
    "gate": 0x10,
    "loop": 0x14,
    "const_1": 0x18,
    "mute_group": 0x1C,
    "bpm_sync": 0x20,
    "bpm_x100": 0x24,
    "flags": 0x28,
    "loop_start": 0x2C,
    "pitch": 0x34,
    "fine": 0x38,
    "loop_mode": 0x3C,
    "speed": 0x40,
    "vinyl": 0x44,
    "pan": 0x48,
    "link": 0x4C,
    "bus": 0x50,
    "const_2": 0x54,
    "attack": 0x58,
    "hold": 0x5C,
    "release": 0x60,
}
SIGNED = {"pitch", "fine"}


@dataclass
class Padconf:
    magic: bytes
    pad_count: int
    version: int
    table_size: int
    tempo_mode: int
    bpm: float
    bank_bpms: list[float]
    bank_levels: dict[str, int]
    name: str
    pads: list[dict[str, Any]]


def read_padconf(data: bytes) -> Padconf:
    """An independent reader of the 5.01 layout."""
    bank_bpms = [struct.unpack_from(">H", data, 0x40 + 2 * i)[0] / 200 for i in range(10)]
    stored_order = "BADCFEHGJI"
    levels = {bank: 127 - data[0x6C + slot] for slot, bank in enumerate(stored_order)}
    pads = []
    for index in range(160):
        base = 0xA0 + index * 172
        pad: dict[str, Any] = {}
        for field, offset in PAD_FIELDS.items():
            fmt = ">i" if field in SIGNED else ">I"
            pad[field] = struct.unpack_from(fmt, data, base + offset)[0]
        pad["unnamed"] = data[base + 0x30 : base + 0x34] + data[base + 0x64 : base + 172]
        pad["name_raw"] = data[0x6C20 + index * 24 : 0x6C20 + (index + 1) * 24]
        pad["marks"] = data[0x7B20 + index * 128 : 0x7B20 + (index + 1) * 128]
        pads.append(pad)
    return Padconf(
        magic=data[0:4],
        pad_count=struct.unpack_from(">I", data, 0x04)[0],
        version=struct.unpack_from(">I", data, 0x08)[0],
        table_size=struct.unpack_from(">I", data, 0x0C)[0],
        tempo_mode=data[0x11],
        bpm=struct.unpack_from(">H", data, 0x12)[0] / 100,
        bank_bpms=bank_bpms,
        bank_levels=levels,
        name=data[0x80:0xA0].rstrip(b"\x00").decode("ascii"),
        pads=pads,
    )


EMPTY_PAD = {
    "file_size": 0,
    "start": 512,
    "end": 512,
    "volume": 127,
    "gate": 0,
    "loop": 0,
    "const_1": 1,
    "mute_group": 0,
    "bpm_sync": 0,
    "flags": 0,
    "pitch": 0,
    "fine": 0,
    "loop_mode": 0,
    "speed": 10000,
    "vinyl": 1,
    "pan": 64,
    "link": 0,
    "bus": 1,
    "const_2": 2,
    "attack": 0,
    "hold": 100,
    "release": 0,
}
EMPTY_MARKS = b"\xff" * 64 + b"\x00" * 64


@pytest.fixture
def project() -> ProjectSettings:
    bank_bpms = (90.0, 91.5, 92.0, 120.0, 140.25, 174.0, 60.0, 80.0, 100.0, 300.0)
    bank_levels = (127, 100, 90, 80, 70, 60, 50, 40, 30, 0)
    return ProjectSettings("Boom Bap Kit", bpm=93.25, bank_bpms=bank_bpms, bank_levels=bank_levels)


@pytest.fixture
def pads() -> list[PadSample]:
    return [
        PadSample(PadSettings("A", 1, volume=100, gate=True, bpm=93.0), "KICK DEEP", 4800, 1),
        PadSample(PadSettings("A", 2, loop=True, pitch=-5, fine=-20, pan=10), "LOOP", 96_000, 2),
        PadSample(PadSettings("C", 7, one_shot=True, mute_group=3, bpm_sync=True), "HAT", 10, 2),
        PadSample(PadSettings("J", 16, pitch=12, fine=50), "LAST PAD", 1, 1),
    ]


def test_padconf_is_exactly_52000_bytes_with_the_header_of_firmware_5_01(
    project: ProjectSettings, pads: list[PadSample]
) -> None:
    data = build_padconf(project, pads)
    assert len(data) == 52_000
    conf = read_padconf(data)
    assert conf.magic == b"RFPD"
    assert (conf.pad_count, conf.version, conf.table_size) == (160, 0x03000000, 0x7A80)
    assert conf.name == "BOOM BAP KIT"
    assert (data[0x10], conf.tempo_mode) == (0, 0x11)


def test_project_and_bank_tempos_and_levels_round_trip(
    project: ProjectSettings, pads: list[PadSample]
) -> None:
    conf = read_padconf(build_padconf(project, pads))
    assert conf.bpm == 93.25
    assert conf.bank_bpms == list(project.bank_bpms)
    assert conf.bank_levels == dict(zip("ABCDEFGHIJ", project.bank_levels, strict=True))
    # Pair order on disk: B's level comes first.
    assert build_padconf(project, pads)[0x6C] == 127 - 100


def test_assigned_pads_round_trip_their_settings_and_sizes(
    project: ProjectSettings, pads: list[PadSample]
) -> None:
    conf = read_padconf(build_padconf(project, pads))
    kick, loop = conf.pads[0], conf.pads[1]
    hat, last = conf.pads[2 * 16 + 6], conf.pads[159]
    assert (kick["file_size"], kick["start"], kick["end"]) == (512 + 4800 * 2, 512, 512 + 9600)
    assert (kick["volume"], kick["gate"], kick["bpm_x100"], kick["loop"]) == (100, 1, 9300, 0)
    assert loop["end"] == 512 + 96_000 * 4
    assert (loop["loop"], loop["pitch"], loop["fine"], loop["pan"]) == (0x7FFFFFFF, -5, -20, 10)
    assert (hat["flags"], hat["mute_group"], hat["bpm_sync"], hat["end"]) == (0x20, 3, 1, 552)
    assert (last["pitch"], last["fine"], last["file_size"]) == (12, 50, 514)
    for pad in (kick, loop, hat, last):
        assert (pad["const_1"], pad["const_2"], pad["speed"], pad["vinyl"]) == (1, 2, 10000, 1)
        assert (pad["bus"], pad["hold"], pad["loop_start"]) == (1, 100, 512)
        assert pad["marks"] == EMPTY_MARKS


def test_pad_names_are_space_padded_to_23_characters_and_nul_terminated(
    project: ProjectSettings, pads: list[PadSample]
) -> None:
    conf = read_padconf(build_padconf(project, pads))
    assert conf.pads[0]["name_raw"] == b"KICK DEEP".ljust(23) + b"\x00"
    assert conf.pads[159]["name_raw"] == b"LAST PAD".ljust(23) + b"\x00"
    assert conf.pads[3]["name_raw"] == b" " * 23 + b"\x00"


def test_empty_pads_hold_the_device_defaults_not_zeros(
    project: ProjectSettings, pads: list[PadSample]
) -> None:
    conf = read_padconf(build_padconf(project, pads))
    used = {0, 1, 38, 159}
    for index, pad in enumerate(conf.pads):
        if index in used:
            continue
        assert {key: pad[key] for key in EMPTY_PAD} == EMPTY_PAD, index
        assert pad["bpm_x100"] == 12000
        assert pad["marks"] == EMPTY_MARKS
        assert pad["unnamed"] == bytes(len(pad["unnamed"]))


def test_an_empty_project_is_all_device_defaults() -> None:
    conf = read_padconf(build_padconf(ProjectSettings("empty"), []))
    assert all({key: pad[key] for key in EMPTY_PAD} == EMPTY_PAD for pad in conf.pads)
    assert conf.bank_levels == dict.fromkeys("ABCDEFGHIJ", 127)
    assert conf.bpm == 120.0


def test_a_pad_assigned_twice_is_refused(project: ProjectSettings) -> None:
    twice = [PadSample(PadSettings("B", 4), "A", 10, 1), PadSample(PadSettings("B", 4), "B", 10, 1)]
    with pytest.raises(ValueError, match="B-04 is assigned twice"):
        build_padconf(project, twice)


def test_a_hostile_project_name_cannot_overflow_its_32_bytes() -> None:
    data = build_padconf(ProjectSettings("../" * 40), [])
    assert len(data) == 52_000
    assert data[0xA0:0xA4] == struct.pack(">I", 0)  # first pad's file size untouched
    assert read_padconf(data).name == "PROJECT"


@pytest.mark.parametrize("channels", [1, 2])
def test_smp_header_fields_and_big_endian_audio_from_byte_512(channels: int) -> None:
    rng = np.random.default_rng(channels)
    audio = rng.integers(-32768, 32767, size=(1234, channels), dtype=np.int16)
    audio[0, 0] = 0x0102
    out = io.BytesIO()
    size = write_smp(out, audio)
    data = out.getvalue()
    assert size == len(data) == 512 + 1234 * channels * 2
    assert data[0:4] == b"RFWV"
    assert struct.unpack_from(">IIII", data, 4) == (len(data) - 8, 48_000, channels, 16)
    assert data[20:512] == bytes(492)
    assert data[512:514] == b"\x01\x02"
    decoded = np.frombuffer(data[512:], dtype=">i2").reshape(-1, channels)
    assert np.array_equal(decoded, audio)


def test_a_pad_end_matches_the_size_of_its_smp_file(project: ProjectSettings) -> None:
    audio = np.zeros((4321, 2), dtype=np.int16)
    smp = io.BytesIO()
    write_smp(smp, audio)
    conf = read_padconf(build_padconf(project, [PadSample(PadSettings("A", 1), "X", 4321, 2)]))
    assert conf.pads[0]["end"] == conf.pads[0]["file_size"] == len(smp.getvalue())
