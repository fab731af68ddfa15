"""Standard MIDI files that play a bank's pads in MIDI "Mode A" mapping.

Mode A: bank A..J listens on MIDI channel 1..10, pads 1..16 on notes 36..51.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import mido

from analysis_engine.sp404.layout import PADS_PER_BANK, bank_index

TICKS_PER_BEAT = 480
FIRST_NOTE = 36
VELOCITY = 100
# An eighth note: short enough that each trigger ends before the next.
NOTE_TICKS = TICKS_PER_BEAT // 2
BEATS_PER_BAR = 4


def pad_note(pad: int) -> int:
    """Return the MIDI note (36..51) that triggers pad 1..16."""
    if not 1 <= pad <= PADS_PER_BANK:
        raise ValueError(f"pad must be 1..16, got {pad}")
    return FIRST_NOTE + pad - 1


def bank_channel(bank: str) -> int:
    """Return mido's 0-based channel for a bank: A is 0 (MIDI channel 1), J is 9."""
    return bank_index(bank)


def bank_midi(bank: str, pads: Iterable[int], bpm: float) -> bytes:
    """Return a 480 PPQ SMF that triggers each of `pads` once, a quarter note apart."""
    if bpm <= 0:
        raise ValueError(f"bpm must be positive, got {bpm}")
    channel = bank_channel(bank)
    ordered = sorted(set(pads))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=f"SP-404 BANK {bank.upper()}", time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    for position, pad in enumerate(ordered):
        note = pad_note(pad)
        # Delta times: the first note starts at 0, later ones a beat after the last start.
        rest = 0 if position == 0 else TICKS_PER_BEAT - NOTE_TICKS
        track.append(
            mido.Message("note_on", channel=channel, note=note, velocity=VELOCITY, time=rest)
        )
        track.append(
            mido.Message("note_off", channel=channel, note=note, velocity=0, time=NOTE_TICKS)
        )
    # End on a bar line so a DAW loops the map cleanly.
    used_ticks = (len(ordered) - 1) * TICKS_PER_BEAT + NOTE_TICKS if ordered else 0
    bar = TICKS_PER_BEAT * BEATS_PER_BAR
    end_ticks = max(bar, -(-used_ticks // bar) * bar)
    track.append(mido.MetaMessage("end_of_track", time=end_ticks - used_ticks))
    midi_file = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT)
    midi_file.tracks.append(track)
    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    return buffer.getvalue()
