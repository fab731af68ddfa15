"""PADCONF.BIN and .SMP held byte for byte against files written by real SP-404MK2 units.

The reference files (tests/analysis_engine/sp404/reference/, MIT, from jorgb/ugc-tools) are the
device's own output. Each test builds what we would write for the same settings and compares
whole records; where a test masks a field, the field carries the producer's data or a device
setting we do not offer, and the comment says which.

Coverage (what is compared with which file):
- header 0x00-0x9F: all four device PADCONF.BIN files, whole (name and tempos given as in them)
- unused pad: record, name and marks of every unused pad of all four files
- a whole project: pad-sequencer/2026-04-08/PADCONF.BIN, all 52,000 bytes (two pads with their
  device tempo, gate on and off)
- one parameter at a time: pad-params/*.txt (baseline, loop, one-shot, mute group A, pitch as
  speed) and pad-params/PADCONF.BIN pad A-04 (mute group B)
- .SMP: both pad-sequencer/2026-04-08/SMPL files, bytes 0x00-0x2F and the audio from byte 512
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from analysis_engine.sp404 import (
    PadSample,
    PadSettings,
    ProjectSettings,
    build_padconf,
    read_padconf,
    read_smp,
    write_smp,
)

REFERENCE = Path(__file__).with_name("reference")
PROJECT = REFERENCE / "pad-sequencer" / "2026-04-08"
DEVICE_PADCONFS = [
    REFERENCE / "pad-params" / "PADCONF.BIN",
    REFERENCE / "pad-chops" / "01-PADCONF-single-sample-no-chops.BIN",
    REFERENCE / "pad-chops" / "01-PADCONF-single-sample-four-chops.BIN",
    PROJECT / "PADCONF.BIN",
]
RECORD = 172
# The sample on every pad of pad-params: 77,224-byte stereo .SMP (19,178 frames), 90.00 BPM.
PARAMS_FRAMES = (0x12DA8 - 512) // 4
PARAMS_NAME = "001 short hendry - 5PLH"
# Pad record fields as device files place them (u32 offsets in the 172-byte record).
GATE, FLAGS, PLAY_MODE = 0x10, 0x28, 0x3C


def dump(name: str) -> bytes:
    """The 172 bytes of a `xxd`-style hex dump in pad-params/."""
    text = (REFERENCE / "pad-params" / f"{name}.txt").read_text()
    data = bytes.fromhex("".join(re.findall(r"^[0-9A-F]{8}: ((?:[0-9A-F ]){48})", text, re.M)))
    assert len(data) == RECORD
    return data


def record(padconf: bytes, index: int) -> bytes:
    start = 0xA0 + index * RECORD
    return padconf[start : start + RECORD]


def name_field(padconf: bytes, index: int) -> bytes:
    return padconf[0x6C20 + index * 24 : 0x6C20 + (index + 1) * 24]


def marks_field(padconf: bytes, index: int) -> bytes:
    return padconf[0x7B20 + index * 128 : 0x7B20 + (index + 1) * 128]


def one_pad(settings: PadSettings, frames: int = PARAMS_FRAMES) -> bytes:
    """Our record for one stereo pad with `settings`, named as the device pad."""
    pad = PadSample(settings, PARAMS_NAME, frames, 2)
    return record(build_padconf(ProjectSettings("P", bpm=90), [pad]), settings.index)


@pytest.mark.parametrize("path", DEVICE_PADCONFS, ids=lambda p: p.parent.name + "/" + p.name)
def test_the_header_equals_device_headers_byte_for_byte(path: Path) -> None:
    device = path.read_bytes()
    name = device[0x80:0xA0].rstrip(b"\x00").decode()
    ours = build_padconf(ProjectSettings(name, bpm=90), [])
    # Tempos (0x12, 0x40) and name (0x80) are the producer's; here they are the device's own.
    assert ours[:0xA0] == device[:0xA0]
    assert ours[0x11] == 0 and struct.unpack_from(">I", ours, 0x40)[0] == 0x4650


@pytest.mark.parametrize("path", DEVICE_PADCONFS, ids=lambda p: p.parent.name + "/" + p.name)
def test_every_unused_pad_equals_the_devices_unused_pads(path: Path) -> None:
    device = path.read_bytes()
    ours = build_padconf(ProjectSettings("P", bpm=90), [])
    unused = [i for i in range(160) if struct.unpack_from(">I", device, 0xA0 + i * RECORD)[0] == 0]
    assert len(unused) >= 140
    for index in unused:
        assert record(ours, index) == record(device, index), index
        assert name_field(ours, index) == name_field(device, index) == b" " * 23 + b"\x00"
        assert marks_field(ours, index) == marks_field(device, index)


def test_a_whole_device_project_is_rebuilt_byte_for_byte() -> None:
    device = (PROJECT / "PADCONF.BIN").read_bytes()
    pads = [
        # gate off, not one-shot, the device's detected 75.17 BPM.
        PadSample(PadSettings("A", 1, bpm=75.17), "indust - houst kck - AR", 77051, 2),
        # B-01: gate on, 118.47 BPM.
        PadSample(PadSettings("B", 1, gate=True, bpm=118.47), "hiphop - another life k", 73375, 2),
    ]
    assert build_padconf(ProjectSettings("PROJECT_08", bpm=90), pads) == device


def test_the_baseline_pad_equals_the_device_record() -> None:
    settings = PadSettings("A", 1, gate=True, bpm=90)
    assert one_pad(settings) == dump("A01 regular - baseline")


@pytest.mark.parametrize(
    ("dump_name", "settings"),
    [
        ("A02 regular - loop on", PadSettings("A", 2, gate=True, loop=True, bpm=90)),
        # The device clears gate when one-shot is set: we ask for both and must get the device's.
        ("A03 regular - oneshot - gate off", PadSettings("A", 3, gate=True, one_shot=True, bpm=90)),
        ("A03 regular - mute group A", PadSettings("A", 3, gate=True, mute_group=1, bpm=90)),
    ],
)
def test_each_pad_parameter_equals_the_dump_where_the_device_changed_it(
    dump_name: str, settings: PadSettings
) -> None:
    assert one_pad(settings) == dump(dump_name)


def test_mute_group_b_equals_the_device_pad_that_has_it() -> None:
    device = (REFERENCE / "pad-params" / "PADCONF.BIN").read_bytes()
    assert one_pad(PadSettings("A", 4, gate=True, mute_group=2, bpm=90)) == record(device, 3)


def test_pitch_with_vinyl_on_is_stored_as_speed_like_the_device() -> None:
    device = dump("A06 regular - rev pingpong - gate off")
    ours = bytearray(one_pad(PadSettings("A", 6, gate=True, pitch=-3, bpm=90)))
    assert struct.unpack_from(">I", ours, 0x40)[0] == 8408  # floor(2^(-3/12) x 10000)
    assert struct.unpack_from(">i", ours, 0x34)[0] == 0  # the vinyl-off semitone field
    # Play mode (+0x3C, 3 = reverse ping-pong) is a device setting we do not offer.
    struct.pack_into(">I", ours, PLAY_MODE, 3)
    assert bytes(ours) == device


def test_mute_groups_no_device_file_shows_are_left_off() -> None:
    written = one_pad(PadSettings("A", 1, gate=True, mute_group=5, bpm=90))
    assert written == dump("A01 regular - baseline")


@pytest.mark.parametrize(("start", "end"), [(0, PARAMS_FRAMES), (100, 19_000), (None, 5)])
def test_start_and_end_are_byte_offsets_into_the_smp_and_loop_follows_start(
    start: int | None, end: int
) -> None:
    ours = one_pad(PadSettings("A", 1, gate=True, bpm=90, start=start, end=end))
    file_size, first, last = struct.unpack_from(">III", ours, 0)
    assert file_size == 0x12DA8
    assert (first, last) == (512 + (start or 0) * 4, 512 + end * 4)
    assert struct.unpack_from(">I", ours, 0x2C)[0] == first
    if (start, end) == (0, PARAMS_FRAMES):
        assert ours == dump("A01 regular - baseline")


def test_trim_points_past_the_audio_are_kept_inside_it() -> None:
    ours = one_pad(PadSettings("A", 1, start=50, end=10**6), frames=100)
    assert struct.unpack_from(">II", ours, 4) == (512 + 50 * 4, 512 + 100 * 4)


def test_names_keep_case_and_are_nul_padded_like_the_devices() -> None:
    device = (REFERENCE / "pad-chops" / "01-PADCONF-single-sample-no-chops.BIN").read_bytes()
    pad = PadSample(PadSettings("A", 1), "cooper F drone - ARCN", 10, 2)
    ours = build_padconf(ProjectSettings("P"), [pad])
    assert name_field(ours, 0) == name_field(device, 0) == b"cooper F drone - ARCN\x00\x00\x00"
    long = PadSample(PadSettings("A", 1), "\u00e9tude   for a very long title\x07", 10, 2)
    assert (
        name_field(build_padconf(ProjectSettings("P"), [long]), 0) == b"etude   for a very long\x00"
    )


def test_project_and_bank_tempos_and_levels_round_trip_through_the_reader() -> None:
    bank_bpms = (90.0, 91.5, 92.0, 120.0, 140.25, 174.0, 60.0, 80.0, 100.0, 300.0)
    bank_levels = (127, 100, 90, 80, 70, 60, 50, 40, 30, 0)
    project = ProjectSettings(
        "Boom Bap Kit", bpm=93.25, bank_bpms=bank_bpms, bank_levels=bank_levels
    )
    data = build_padconf(project, [PadSample(PadSettings("C", 7), "HAT", 10, 1)])
    read = read_padconf(data)
    assert (read.name, read.bpm, read.tempo_select) == ("BOOM BAP KIT", 93.25, 0)
    assert read.bank_bpms == bank_bpms and read.bank_levels == bank_levels
    # u32 tempos x 200 from 0x40; u16 levels (127 - level) from 0x6C, B first.
    assert struct.unpack_from(">II", data, 0x40) == (18000, 18300)
    assert struct.unpack_from(">HH", data, 0x6C) == (27, 0)


def test_a_pad_assigned_twice_is_refused() -> None:
    twice = [PadSample(PadSettings("B", 4), "A", 10, 1), PadSample(PadSettings("B", 4), "B", 10, 1)]
    with pytest.raises(ValueError, match="B-04 is assigned twice"):
        build_padconf(ProjectSettings("K"), twice)


def test_a_hostile_project_name_cannot_overflow_its_32_bytes() -> None:
    data = build_padconf(ProjectSettings("../" * 40), [])
    assert len(data) == 52_000
    assert data[0xA0:0xA4] == struct.pack(">I", 0)
    assert read_padconf(data).name == "PROJECT"


@pytest.mark.parametrize("name", ["BANK1-01.SMP", "BANK2-01.SMP"])
def test_smp_files_equal_the_devices_except_the_bytes_no_one_can_derive(name: str) -> None:
    device = (PROJECT / "SMPL" / name).read_bytes()
    sample = read_smp(device, name)
    out = io.BytesIO()
    write_smp(out, sample.pcm)
    ours = out.getvalue()
    assert len(ours) == len(device)
    # 0x00-0x2F: magic, size, rate, channels, bits and the MD5 of bytes 4-19.
    assert ours[:0x30] == device[:0x30]
    # 0x30-0x1FF differ in every device file and follow from nothing we know: ours are zero.
    assert ours[0x30:512] == bytes(512 - 0x30)
    assert ours[512:] == device[512:]


@pytest.mark.parametrize("channels", [1, 2])
def test_smp_audio_is_big_endian_from_byte_512_and_reads_back(channels: int) -> None:
    rng = np.random.default_rng(channels)
    audio = rng.integers(-32768, 32767, size=(1234, channels), dtype=np.int16)
    audio[0, 0] = 0x0102
    out = io.BytesIO()
    size = write_smp(out, audio)
    data = out.getvalue()
    assert size == len(data) == 512 + 1234 * channels * 2
    assert struct.unpack_from(">4sIIII", data, 0) == (b"RFWV", len(data) - 8, 48_000, channels, 16)
    assert data[512:514] == b"\x01\x02"
    assert np.array_equal(read_smp(data, "X.SMP").pcm, audio)
