"""Zip packs: the IMPORT kit pack, organised sample exports and the native project."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator

import mido
import numpy as np
import pytest
import soundfile

from analysis_engine.sp404 import (
    ConvertOptions,
    KitSample,
    LibrarySample,
    PackReport,
    PadSettings,
    ProjectSettings,
    SampleInfo,
    check_aiff_header,
    check_wav_header,
    write_import_pack,
    write_native_project,
    write_sample_export,
)
from analysis_engine.sp404.archive import AudioFormat

FIXED_TIME = (2024, 1, 2, 3, 4, 6)


def tone(seconds: float, rate: int, channels: int = 1, freq: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return np.repeat((0.4 * np.sin(2 * np.pi * freq * t))[:, None], channels, axis=1)


def kit_samples() -> Iterator[KitSample]:
    """A generator, as a caller streaming from storage would pass."""
    yield KitSample(
        PadSettings("A", 2),
        tone(0.3, 44_100),
        44_100,
        "Snare Crack",
        SampleInfo("Snare Crack", 92.0, "C minor"),
    )
    yield KitSample(
        PadSettings("A", 1),
        tone(0.5, 96_000, 2).astype(np.float32),
        96_000,
        "Kick Déep",
        SampleInfo("Kick Déep (808)", None, None),
    )
    yield KitSample(
        PadSettings("C", 16),
        tone(0.2, 22_050, 2),
        22_050,
        "../../etc/passwd",
        SampleInfo("evil\ntitle", 140.0, "F#m"),
    )
    yield KitSample(PadSettings("C", 3), tone(0.05, 48_000), 48_000, "tick", SampleInfo("tick"))


def build_import_pack(
    options: ConvertOptions | None = None, audio_format: AudioFormat = "wav"
) -> tuple[zipfile.ZipFile, PackReport]:
    buffer = io.BytesIO()
    kit = ProjectSettings("Dusty Kit", bpm=92)
    report = write_import_pack(
        buffer,
        kit,
        kit_samples(),
        options=options,
        audio_format=audio_format,
        date_time=FIXED_TIME,
    )
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue())), report


def assert_entries_are_safe(archive: zipfile.ZipFile) -> None:
    for name in archive.namelist():
        # A folder entry ends in "/" (the native project's empty PTN/ and PICTURE/).
        parts = name.removesuffix("/").split("/")
        assert not name.startswith("/")
        assert "\\" not in name and ":" not in name and "\x00" not in name
        assert all(part not in ("", ".", "..") for part in parts), name
        assert name.isascii()


def test_the_import_pack_puts_each_bank_in_its_own_folder_with_pad_first_names() -> None:
    archive, _ = build_import_pack()
    assert sorted(archive.namelist()) == [
        "IMPORT/DUSTY KIT/BANK A/01 KICK DEEP.WAV",
        "IMPORT/DUSTY KIT/BANK A/02 SNARE CRACK.WAV",
        "IMPORT/DUSTY KIT/BANK C/03 TICK.WAV",
        "IMPORT/DUSTY KIT/BANK C/16 ETC PASSWD.WAV",
        "IMPORT/DUSTY KIT/MIDI/BANK A.mid",
        "IMPORT/DUSTY KIT/MIDI/BANK C.mid",
        "IMPORT/DUSTY KIT/PADMAP.txt",
    ]
    assert_entries_are_safe(archive)


def test_every_wav_in_the_pack_is_canonical_16_bit_48k_and_keeps_its_channels() -> None:
    archive, _ = build_import_pack()
    expected_channels = {
        "01 KICK DEEP.WAV": 2,
        "02 SNARE CRACK.WAV": 1,
        "03 TICK.WAV": 1,
        "16 ETC PASSWD.WAV": 2,
    }
    for name in archive.namelist():
        if not name.endswith(".WAV"):
            continue
        data = archive.read(name)
        info = check_wav_header(data)
        described = soundfile.info(io.BytesIO(data))
        assert (described.samplerate, described.subtype) == (48_000, "PCM_16")
        assert info.channels == described.channels == expected_channels[name.rsplit("/", 1)[1]]
        assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED


def test_converted_length_follows_the_source_duration() -> None:
    archive, _ = build_import_pack()
    kick = archive.read("IMPORT/DUSTY KIT/BANK A/01 KICK DEEP.WAV")
    assert check_wav_header(kick).frames == 24_000  # 0.5 s at 48 kHz


def test_padmap_lists_every_pad_in_bank_and_pad_order_with_title_bpm_and_key() -> None:
    archive, _ = build_import_pack()
    text = archive.read("IMPORT/DUSTY KIT/PADMAP.txt").decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "SP-404MK2 kit: DUSTY KIT"
    assert "Tempo: 92 BPM" in lines
    rows = [line for line in lines if line[:2] in ("A ", "C ")]
    assert [row.split()[:2] for row in rows] == [["A", "1"], ["A", "2"], ["C", "3"], ["C", "16"]]
    assert "Kick Déep (808)" in rows[0]
    assert "92.0" in rows[1] and "C minor" in rows[1]
    assert "evil title" in rows[3] and "140.0" in rows[3] and "F#m" in rows[3]
    assert text.count("\r\n") == len(lines)


def test_one_midi_file_per_used_bank_on_that_banks_channel_at_the_kit_tempo() -> None:
    archive, _ = build_import_pack()
    for bank, channel, notes in (("A", 0, [36, 37]), ("C", 2, [38, 51])):
        midi = mido.MidiFile(
            file=io.BytesIO(archive.read(f"IMPORT/DUSTY KIT/MIDI/BANK {bank}.mid"))
        )
        assert midi.ticks_per_beat == 480
        messages = list(midi.tracks[0])
        assert [m.tempo for m in messages if m.type == "set_tempo"] == [mido.bpm2tempo(92)]
        on = [m for m in messages if m.type == "note_on"]
        assert [m.note for m in on] == notes
        assert {m.channel for m in on} == {channel}


def test_clips_shorter_than_100_ms_are_reported() -> None:
    _, report = build_import_pack()
    assert report.short_clips == ["IMPORT/DUSTY KIT/BANK C/03 TICK.WAV"]


def test_clips_shorter_than_100_ms_are_padded_when_asked() -> None:
    archive, _ = build_import_pack(options=ConvertOptions(pad_short=True))
    tick = archive.read("IMPORT/DUSTY KIT/BANK C/03 TICK.WAV")
    assert check_wav_header(tick).frames == 4800


def test_the_pack_can_be_written_as_aiff() -> None:
    archive, _ = build_import_pack(audio_format="aiff")
    names = [name for name in archive.namelist() if name.endswith(".AIF")]
    assert len(names) == 4
    for name in names:
        assert check_aiff_header(archive.read(name)).sample_rate == 48_000


def test_a_seeded_pack_is_byte_for_byte_repeatable() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_import_pack(first, ProjectSettings("K"), kit_samples(), date_time=FIXED_TIME)
    write_import_pack(second, ProjectSettings("K"), kit_samples(), date_time=FIXED_TIME)
    assert first.getvalue() == second.getvalue()


def test_a_pad_used_twice_in_a_kit_is_refused() -> None:
    twice = [KitSample(PadSettings("A", 1), tone(0.2, 48_000), 48_000, "x")] * 2
    with pytest.raises(ValueError, match="A-01 is assigned twice"):
        write_import_pack(io.BytesIO(), ProjectSettings("K"), twice)


@pytest.mark.parametrize(
    "kit_name", ["../../..", "/etc", "..\\..\\boot", "", "\x00", "CON", "🎹" * 50]
)
def test_hostile_kit_names_never_make_unsafe_zip_entries(kit_name: str) -> None:
    buffer = io.BytesIO()
    samples = [KitSample(PadSettings("A", 1), tone(0.2, 48_000), 48_000, "../" + kit_name)]
    write_import_pack(buffer, ProjectSettings(kit_name), samples)
    assert_entries_are_safe(zipfile.ZipFile(buffer))
    native = io.BytesIO()
    write_native_project(native, ProjectSettings(kit_name), samples)
    assert_entries_are_safe(zipfile.ZipFile(native))


def library() -> list[LibrarySample]:
    return [
        LibrarySample(
            tone(0.2, 44_100), 44_100, "Loop", SampleInfo("Loop", 94.5, "A minor", "Boom Bap")
        ),
        LibrarySample(
            tone(0.2, 48_000), 48_000, "loop", SampleInfo("loop", 99.99, "Am", "boom bap")
        ),
        LibrarySample(
            tone(0.2, 96_000), 96_000, "Pad", SampleInfo("Pad", 120.0, "F# major", "Lo-Fi")
        ),
        LibrarySample(tone(0.2, 22_050), 22_050, "Vox", SampleInfo("Vox", None, "Bbm", None)),
        LibrarySample(tone(0.2, 48_000), 48_000, "Hit", SampleInfo("Hit", 85.0, "weird", "🔥")),
    ]


@pytest.mark.parametrize(
    ("organise", "expected"),
    [
        (
            "flat",
            ["LIB/HIT.WAV", "LIB/LOOP.WAV", "LIB/LOOP~2.WAV", "LIB/PAD.WAV", "LIB/VOX.WAV"],
        ),
        (
            "bpm",
            [
                "LIB/080-089 BPM/HIT.WAV",
                "LIB/090-099 BPM/LOOP.WAV",
                "LIB/090-099 BPM/LOOP~2.WAV",
                "LIB/120-129 BPM/PAD.WAV",
                "LIB/NO BPM/VOX.WAV",
            ],
        ),
        (
            "key",
            [
                "LIB/A MINOR/LOOP.WAV",
                "LIB/A MINOR/LOOP~2.WAV",
                "LIB/B FLAT MINOR/VOX.WAV",
                "LIB/F SHARP MAJOR/PAD.WAV",
                "LIB/NO KEY/HIT.WAV",
            ],
        ),
        (
            "genre",
            [
                "LIB/BOOM BAP/LOOP.WAV",
                "LIB/BOOM BAP/LOOP~2.WAV",
                "LIB/LO-FI/PAD.WAV",
                "LIB/NO GENRE/HIT.WAV",
                "LIB/NO GENRE/VOX.WAV",
            ],
        ),
    ],
)
def test_sample_exports_are_organised_into_folders(organise: str, expected: list[str]) -> None:
    buffer = io.BytesIO()
    report = write_sample_export(buffer, library(), organise=organise, export_name="lib")  # type: ignore[arg-type]
    archive = zipfile.ZipFile(buffer)
    assert sorted(archive.namelist()) == ["IMPORT/" + name for name in expected]
    assert report.entries == archive.namelist()
    assert_entries_are_safe(archive)
    for name in archive.namelist():
        assert check_wav_header(archive.read(name)).sample_rate == 48_000


def test_an_unknown_organise_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="organise"):
        write_sample_export(io.BytesIO(), library(), organise="colour")  # type: ignore[arg-type]


def test_the_native_project_is_laid_out_as_the_device_exports_one() -> None:
    buffer = io.BytesIO()
    write_native_project(buffer, ProjectSettings("Dusty Kit", bpm=92), kit_samples())
    archive = zipfile.ZipFile(buffer)
    root = "EXPORT/PROJECT/P01_DUSTY_KIT"
    assert sorted(archive.namelist()) == [
        f"{root}/PADCONF.BIN",
        f"{root}/PICTURE/",
        f"{root}/PTN/",
        f"{root}/SMPL/BANK1-01.SMP",
        f"{root}/SMPL/BANK1-02.SMP",
        f"{root}/SMPL/BANK3-03.SMP",
        f"{root}/SMPL/BANK3-16.SMP",
        "README-PROJECT-BETA.txt",
    ]
    assert archive.getinfo(f"{root}/PTN/").is_dir()
    readme = archive.read("README-PROJECT-BETA.txt").decode()
    assert "BETA" in readme and "no device has" in readme
    assert "UTILITY" in readme and "IMPORT" in readme and root in readme
    padconf = archive.read(f"{root}/PADCONF.BIN")
    assert len(padconf) == 52_000
    # Each pad's file size (pad record at 0xA0 + index * 172) is its SMP's size.
    for name, index in (("BANK1-01", 0), ("BANK1-02", 1), ("BANK3-03", 34), ("BANK3-16", 47)):
        smp = archive.read(f"{root}/SMPL/{name}.SMP")
        assert struct.unpack_from(">I", padconf, 0xA0 + index * 172)[0] == len(smp)
        assert struct.unpack_from(">I", smp, 12)[0] in (1, 2)
    kick = archive.read(f"{root}/SMPL/BANK1-01.SMP")
    assert struct.unpack_from(">I", kick, 12)[0] == 2
    assert padconf[0x6C20 : 0x6C20 + 24] == b"Kick Deep".ljust(24, b"\x00")


def test_the_native_project_says_which_settings_it_left_out() -> None:
    buffer = io.BytesIO()
    samples = [KitSample(PadSettings("A", 1, mute_group=7), tone(0.2, 48_000), 48_000, "x")]
    report = write_native_project(buffer, ProjectSettings("K"), samples)
    assert report.left_out == ["A-01: mute group 7 left off (device files confirm groups 1-2 only)"]
    readme = zipfile.ZipFile(buffer).read("README-PROJECT-BETA.txt").decode()
    assert "mute group 7 left off" in readme
