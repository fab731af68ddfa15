"""Pad-map MIDI files in the sampler's Mode A mapping."""

from __future__ import annotations

import io

import mido
import pytest

from analysis_engine.sp404 import bank_midi


def parse(data: bytes) -> mido.MidiFile:
    return mido.MidiFile(file=io.BytesIO(data))


@pytest.mark.parametrize(("bank", "channel"), [("A", 0), ("B", 1), ("E", 4), ("J", 9)])
def test_each_bank_plays_on_its_own_channel(bank: str, channel: int) -> None:
    midi = parse(bank_midi(bank, [1, 2], 120))
    notes = [m for m in midi.tracks[0] if m.type == "note_on"]
    assert {m.channel for m in notes} == {channel}


def test_pads_1_to_16_map_to_notes_36_to_51_in_pad_order_a_beat_apart() -> None:
    midi = parse(bank_midi("A", [16, *range(1, 16)], 95))
    assert midi.ticks_per_beat == 480
    starts = []
    now = 0
    for message in midi.tracks[0]:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            starts.append((now, message.note))
    assert [note for _, note in starts] == list(range(36, 52))
    assert [tick for tick, _ in starts] == [i * 480 for i in range(16)]


def test_the_file_carries_the_kit_tempo_and_ends_on_a_bar_line() -> None:
    midi = parse(bank_midi("C", [1, 5, 9], 87.5))
    tempos = [m.tempo for m in midi.tracks[0] if m.type == "set_tempo"]
    assert tempos == [mido.bpm2tempo(87.5)]
    assert mido.tempo2bpm(tempos[0]) == pytest.approx(87.5)
    total = sum(m.time for m in midi.tracks[0])
    assert total % (4 * 480) == 0


def test_every_note_is_released() -> None:
    midi = parse(bank_midi("D", [3, 4], 120))
    on = [m.note for m in midi.tracks[0] if m.type == "note_on" and m.velocity > 0]
    off = [m.note for m in midi.tracks[0] if m.type == "note_off"]
    assert on == off == [38, 39]


def test_an_unknown_bank_or_pad_is_refused() -> None:
    with pytest.raises(ValueError, match="bank"):
        bank_midi("K", [1], 120)
    with pytest.raises(ValueError, match="pad"):
        bank_midi("A", [17], 120)
