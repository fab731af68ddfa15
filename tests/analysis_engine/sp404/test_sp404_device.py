"""Reading device files: the reference project's pads, and damaged files refused with the file
name and the byte offset."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest

from analysis_engine.sp404 import DeviceFileError, read_padconf, read_smp

REFERENCE = Path(__file__).with_name("reference")
PROJECT = REFERENCE / "pad-sequencer" / "2026-04-08"


def test_the_reference_project_reads_as_the_device_shows_it() -> None:
    project = read_padconf((PROJECT / "PADCONF.BIN").read_bytes())
    assert (project.name, project.bpm, project.tempo_select) == ("PROJECT_08", 90.0, 0)
    assert project.bank_bpms == (90.0,) * 10 and project.bank_levels == (127,) * 10
    kick, loop = project.used_pads
    assert (kick.label, kick.name, kick.bpm, kick.gate, kick.one_shot) == (
        "A-01", "indust - houst kck - AR", 75.17, False, False
    )  # fmt: skip
    assert (loop.label, loop.smp_name, loop.bpm, loop.gate) == (
        "B-01",
        "BANK2-01.SMP",
        118.47,
        True,
    )
    assert kick.pitch() == (0, True) and kick.marks == ()
    smp = read_smp((PROJECT / "SMPL" / kick.smp_name).read_bytes(), "BANK1-01.SMP")
    assert (smp.channels, smp.frames) == (2, 77051)
    assert kick.frames(smp.channels) == (0, 77051)


def test_pads_changed_on_the_device_read_back_as_changed() -> None:
    pads = read_padconf((REFERENCE / "pad-params" / "PADCONF.BIN").read_bytes()).pads
    assert pads[1].loop and pads[2].mute_group == 1 and pads[3].mute_group == 2
    assert pads[16].marks == (0, 0x1008, 0x3000)


@pytest.mark.parametrize(
    ("damage", "offset", "words"),
    [
        (lambda d: d[:30_000], 30_000, "truncated"),
        (lambda d: d + b"\x00", 52_000, "longer"),
        (lambda d: b"XXXX" + d[4:], 0, "RFPD"),
        (lambda d: d[:0x11] + b"\x07" + d[0x12:], 0x11, "tempo select"),
        (lambda d: d[:0x44] + struct.pack(">I", 200 * 999) + d[0x48:], 0x44, "bank B tempo"),
        # Pad A-01 (record at 0xA0): an end past its sample, a volume above 127.
        (lambda d: d[:0xA8] + struct.pack(">I", 10**7) + d[0xAC:], 0xA8, "pad A-01: end"),
        (lambda d: d[:0xAC] + struct.pack(">I", 300) + d[0xB0:], 0xAC, "volume"),
    ],
)
def test_a_damaged_padconf_is_refused_naming_the_offset(damage, offset: int, words: str) -> None:  # type: ignore[no-untyped-def]
    data = damage((PROJECT / "PADCONF.BIN").read_bytes())
    with pytest.raises(DeviceFileError) as raised:
        read_padconf(data, "P08/PADCONF.BIN")
    assert (raised.value.file, raised.value.offset) == ("P08/PADCONF.BIN", offset)
    assert words in str(raised.value) and f"0x{offset:X}" in str(raised.value)
    assert raised.value.status_code == 422


def _with_checksum(data: bytes) -> bytes:
    return data[:0x20] + hashlib.md5(data[4:20]).digest() + data[0x30:]


@pytest.mark.parametrize(
    ("damage", "offset", "words"),
    [
        (lambda d: d[:300], 300, "truncated"),
        (lambda d: d[:100_000], 100_000, "truncated"),
        (lambda d: b"RIFF" + d[4:], 0, "RFWV"),
        (lambda d: d[:0x20] + bytes(16) + d[0x30:], 0x20, "checksum"),
        (lambda d: _with_checksum(d[:8] + struct.pack(">I", 44_100) + d[12:]), 8, "48000"),
        (lambda d: _with_checksum(d[:12] + struct.pack(">I", 6) + d[16:]), 12, "6 channels"),
    ],
)
def test_a_damaged_smp_is_refused_naming_the_offset(damage, offset: int, words: str) -> None:  # type: ignore[no-untyped-def]
    data = damage((PROJECT / "SMPL" / "BANK1-01.SMP").read_bytes())
    with pytest.raises(DeviceFileError) as raised:
        read_smp(data, "SMPL/BANK1-01.SMP")
    assert (raised.value.file, raised.value.offset) == ("SMPL/BANK1-01.SMP", offset)
    assert words in str(raised.value)


def test_an_smp_whose_size_disagrees_with_its_pad_is_refused() -> None:
    data = (PROJECT / "SMPL" / "BANK1-01.SMP").read_bytes()
    with pytest.raises(DeviceFileError, match=r"PADCONF\.BIN gives its size as 999"):
        read_smp(data, "BANK1-01.SMP", expected_size=999)
