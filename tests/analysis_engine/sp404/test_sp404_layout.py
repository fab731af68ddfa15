"""The pad grid: bank letters, pad positions and validated pad settings."""

from __future__ import annotations

from typing import Any

import pytest

from analysis_engine.sp404 import (
    PadSettings,
    ProjectSettings,
    bank_index,
    bank_letter,
    pad_from_index,
    pad_index,
)


def test_bank_letters_and_indexes_round_trip() -> None:
    assert [bank_letter(i) for i in range(10)] == list("ABCDEFGHIJ")
    assert [bank_index(letter) for letter in "abcdefghij"] == list(range(10))


def test_every_pad_has_one_of_160_positions_in_bank_then_pad_order() -> None:
    positions = [pad_index(bank, pad) for bank in "ABCDEFGHIJ" for pad in range(1, 17)]
    assert positions == list(range(160))
    assert all(pad_from_index(i) == (("ABCDEFGHIJ")[i // 16], i % 16 + 1) for i in range(160))


@pytest.mark.parametrize(("bank", "pad"), [("K", 1), ("", 1), ("AB", 1), ("A", 0), ("A", 17)])
def test_pads_off_the_grid_are_refused(bank: str, pad: int) -> None:
    with pytest.raises(ValueError, match=r"bank|pad"):
        pad_index(bank, pad)


def test_a_lowercase_bank_is_the_same_pad() -> None:
    assert PadSettings("c", 3) == PadSettings("C", 3)
    assert PadSettings("c", 3).label == "C-03"


def test_pad_settings_default_to_the_sampler_defaults() -> None:
    pad = PadSettings("A", 1)
    assert (pad.volume, pad.pitch, pad.pan, pad.gate, pad.loop, pad.one_shot) == (
        127,
        0,
        64,
        False,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"volume": 128}, "volume must be 0..127"),
        ({"volume": -1}, "volume must be 0..127"),
        ({"pitch": 13}, "pitch"),
        ({"fine": 51}, "fine tune"),
        ({"pan": 200}, "pan"),
        ({"mute_group": 17}, "mute group"),
        ({"bpm": 10.0}, "pad bpm must be 40..300"),
        ({"pad": True}, "pad must be an integer"),
        ({"volume": 1.5}, "volume must be an integer"),
    ],
)
def test_pad_settings_out_of_range_raise_clear_errors(
    changes: dict[str, Any], message: str
) -> None:
    fields: dict[str, Any] = {"bank": "A", "pad": 1, **changes}
    with pytest.raises(ValueError, match=message):
        PadSettings(**fields)


def test_a_project_without_bank_values_follows_the_project_tempo_at_full_level() -> None:
    project = ProjectSettings("Kit", bpm=92.5)
    assert project.bank_bpms == (92.5,) * 10
    assert project.bank_levels == (127,) * 10


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bpm": 400.0}, "project bpm"),
        ({"bank_bpms": (120.0,) * 9}, "one value per bank"),
        ({"bank_levels": (127,) * 9 + (128,)}, "bank J level"),
        ({"bank_bpms": (120.0,) * 9 + (20.0,)}, "bank J bpm"),
    ],
)
def test_project_settings_out_of_range_raise_clear_errors(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ProjectSettings("Kit", **changes)
