"""Which keys and tempos mix: spellings, relative and parallel keys, fifths, half/double time."""

from __future__ import annotations

import pytest

from analysis_engine.music import compatible_keys, relative_key
from analysis_engine.search import Key, key_relation, parse_key, tempo_relation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A minor", Key(9, True)),
        ("C# major", Key(1, False)),
        ("Db major", Key(1, False)),
        ("Bb minor", Key(10, True)),
        ("A# minor", Key(10, True)),
        ("b♭ Minor", Key(10, True)),
        ("F♯m", Key(6, True)),
        ("Am", Key(9, True)),
        ("Cmaj", Key(0, False)),
        ("EM", Key(4, False)),
        ("E", Key(4, False)),
        ("Cb major", Key(11, False)),
        ("  g  min ", Key(7, True)),
    ],
)
def test_key_names_are_read_with_enharmonic_spellings_equal(text: str, expected: Key) -> None:
    assert parse_key(text) == expected


@pytest.mark.parametrize("text", ["", None, "H minor", "E phrygian", "A minor minor", "C##", "12"])
def test_what_is_not_a_key_reads_as_none(text: str | None) -> None:
    assert parse_key(text) is None


@pytest.mark.parametrize(
    ("key", "relative"),
    [
        ("C major", "A minor"),
        ("A minor", "C major"),
        ("Eb major", "C minor"),
        ("F# minor", "A major"),
    ],
)
def test_every_key_has_a_relative_with_the_same_notes(key: str, relative: str) -> None:
    found = parse_key(key)
    assert found is not None
    assert relative_key(found) == parse_key(relative)
    assert str(relative_key(found)) == str(parse_key(relative))


@pytest.mark.parametrize(
    ("target", "other", "relation"),
    [
        ("A minor", "A minor", "same"),
        ("A minor", "G## minor", None),
        ("A minor", "C major", "relative"),
        ("C major", "A minor", "relative"),
        ("A minor", "E minor", "fifth"),
        ("A minor", "D minor", "fifth"),
        ("C major", "G major", "fifth"),
        ("C major", "C minor", "parallel"),
        ("C major", "F# major", None),
        ("C major", "E minor", None),
        ("C major", None, None),
        (None, "C major", None),
    ],
)
def test_key_relations(target: str | None, other: str | None, relation: str | None) -> None:
    assert key_relation(parse_key(target), parse_key(other)) == relation


def test_compatible_keys_are_the_key_and_its_relative_and_the_fifths_when_asked() -> None:
    a_minor = Key(9, True)
    assert compatible_keys(a_minor) == {a_minor, Key(0, False)}
    assert compatible_keys(a_minor, fifths=True) == {
        a_minor,
        Key(0, False),
        Key(4, True),
        Key(2, True),
    }


@pytest.mark.parametrize(
    ("target", "other", "tolerance", "relation"),
    [
        (90, 90, 5, "same"),
        (90, 94.5, 5, "same"),
        (90, 94.6, 5, None),
        (90, 85.5, 5, "same"),
        (90, 180, 5, "double"),
        (90, 188, 5, "double"),
        (90, 45, 5, "half"),
        (90, 47, 5, "half"),
        (90, 120, 5, None),
        (90, 91, 1, None),
        (90, None, 5, None),
        (None, 90, 5, None),
        (0, 90, 5, None),
    ],
)
def test_tempo_relations_allow_half_and_double_time(
    target: float | None, other: float | None, tolerance: float, relation: str | None
) -> None:
    assert tempo_relation(target, other, tolerance) == relation
