"""The benchmark corpus never takes a source reserved for judging the engine."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks import corpus

_RESERVED_FILE = Path(__file__).resolve().parents[4] / "shared" / "reserved-for-judging.md"


def _section(text: str, title: str) -> str:
    match = re.search(rf"## {title}\n(.*?)(\n## |\Z)", text, re.S)
    assert match, title
    return match.group(1)


@pytest.mark.skipif(not _RESERVED_FILE.exists(), reason="no shared/ beside the checkout")
def test_the_corpus_lists_copy_every_reserved_source_of_the_shared_file() -> None:
    text = _RESERVED_FILE.read_text()
    grooves = _section(text, "MMA grooves").split("and the MMA drum-only")[0]
    for name in re.findall(r"[\w&-]+", grooves):
        with pytest.raises(corpus.ReservedSource):
            corpus.check_source(groove=name)
    assert '"zoom"' in _section(text, "MMA grooves") and "zoom" in (
        corpus.RESERVED_GROOVE_LIBRARIES
    )
    for package in re.findall(r"`([\w.-]+?)(?:\*)?`", _section(text, "Sound fonts")):
        with pytest.raises(corpus.ReservedSource):
            corpus.check_source(soundfont=Path(f"/usr/share/sounds/sf2/{package}.sf2"))
    kits = _section(text, "Drum kits").strip().split("\n")[0]
    kits = kits.replace("Hydrogen kits", "").replace(" and ", ",")
    for kit in re.findall(r"[A-Za-z0-9]+", kits):
        with pytest.raises(corpus.ReservedSource):
            corpus.check_source(kit=kit)


@pytest.mark.parametrize(
    "groove",
    ["Waltz", "WaltzSus", "Dsoul", "DiscoSoul", "CountrySwing", "Calypso", "HipHop", "Son",
     "68Swing", "Funk2", "SlowBlues", "MellowRB", "PopWaltzIntro"],
)  # fmt: skip
def test_a_reserved_groove_family_is_refused(groove: str) -> None:
    with pytest.raises(corpus.ReservedSource):
        corpus.check_source(groove=groove)


@pytest.mark.parametrize(
    "kit", ["ColomboAcousticDrumkit", "Millo-Drums_v.1", "Millo_MultiLayered3", "HardElectro1",
            "VariBreaks"],
)  # fmt: skip
def test_a_reserved_drum_kit_is_refused_even_before_it_is_read(kit: str) -> None:
    with pytest.raises(corpus.ReservedSource):
        corpus.load_kit(Path("/nonexistent") / kit)


@pytest.mark.parametrize(
    "soundfont",
    ["MuseScore_General.sf3", "musescore-general-soundfont-small.sf2", "TimGM6mb.sf2",
     "opl3.sf2", "csound-soundfont.sf2", "avldrums.lv2-soundfont.sf2"],
)  # fmt: skip
def test_a_reserved_sound_font_is_refused(soundfont: str) -> None:
    with pytest.raises(corpus.ReservedSource):
        corpus.check_source(soundfont=Path("/usr/share/sounds") / soundfont)


def test_building_a_corpus_from_a_reserved_groove_fails_before_rendering(tmp_path: Path) -> None:
    waltz = corpus.Groove("Waltz", 3, 90, 150, "3/4")
    with pytest.raises(corpus.ReservedSource):
        corpus.build_corpus(tmp_path, n_band=1, n_drums=0, grooves=(waltz,))
    assert not any(tmp_path.iterdir())


def test_the_corpus_own_sources_are_all_allowed() -> None:
    for groove in corpus.GROOVES:
        corpus.check_source(groove=groove.name)
    corpus.check_source(soundfont=corpus.SOUNDFONT)
    for kit in ("Audiophob", "BJA_Pacific", "ElectricEmpireKit", "The Black Pearl 1.0"):
        corpus.check_source(kit=kit)


def test_every_progression_has_one_key_its_tonic_chord_in_its_mode() -> None:
    # Unambiguous truth: each progression plays its tonic chord, with the mode's third.
    third = {"major": 4, "minor": 3}
    for progression in corpus.HARMONY:
        tonic_chords = [s for degree, s in progression.chords if degree == 0]
        assert tonic_chords, progression.name
        assert all(third[progression.mode] in corpus.CHORD_TONES[s] for s in tonic_chords)
        assert all(s in corpus.CHORD_TONES for _, s in progression.chords)
    names = [p.name for p in corpus.HARMONY]
    assert len(set(names)) == len(names) >= 30


def test_the_harmony_stress_set_keeps_the_headline_clips_grooves_tempi_and_keys(
    tmp_path: Path,
) -> None:
    headline = corpus.build_corpus(tmp_path / "v2", n_band=2, n_drums=0)
    stress = corpus.build_corpus(tmp_path / "v3", n_band=2, n_drums=0, harmony_stress=True)
    by_name = {p.name: p for p in corpus.HARMONY}
    # The headline keeps corpus v2's names (its cached audio and the tempo benchmark's labels)
    # and the eight v2 progressions; the stress set plays others over the same clips.
    assert [c.name for c in headline.clips] == [
        "band000_8Beat_108.2_F#maj",
        "band001_50sRock_102.1_D#min_lowpass",
    ]
    for plain, stressed in zip(headline.clips, stress.clips, strict=True):
        assert stressed.name.split("_")[:4] == plain.name.split("_")[:4]
        assert (stressed.bpm, stressed.key, stressed.mode, stressed.lofi) == (
            plain.bpm, plain.key, plain.mode, plain.lofi,
        )  # fmt: skip
        assert by_name[plain.progression].chords in corpus.PROGRESSIONS[str(plain.mode)]
        for clip in (plain, stressed):
            assert by_name[clip.progression].mode == clip.mode
            assert clip.path.exists()


def test_the_tempo_stress_set_plays_only_what_no_fitted_corpus_plays() -> None:
    # Corpus v4 estimates tempo on material held out by construction: its groove families and
    # drum patterns are none of corpus v2's, and none is reserved for judging.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    import corpus as bare_corpus
    from tempo_stress import DRUM_TRACK_GROOVES, MORE_GROOVES, STRESS_GROOVES, STRESS_PATTERNS

    fitted = {bare_corpus.groove_family(g.name) for g in bare_corpus.GROOVES}
    grooves = STRESS_GROOVES + MORE_GROOVES + DRUM_TRACK_GROOVES
    families = [bare_corpus.groove_family(s.groove.name) for s in grooves]
    assert len(set(families)) == len(families)
    for stress in grooves:
        bare_corpus.check_source(groove=stress.groove.name)
        assert bare_corpus.groove_family(stress.groove.name) not in fitted, stress.groove.name
    fitted_patterns = {
        (p.beats, frozenset((role, step / p.steps) for role, steps, _ in p.hits for step in steps))
        for p in bare_corpus.DRUM_PATTERNS
    }
    for pattern in STRESS_PATTERNS:
        assert pattern.name not in {p.name for p in bare_corpus.DRUM_PATTERNS}
        hits = frozenset(
            (role, step / pattern.steps) for role, steps, _ in pattern.hits for step in steps
        )
        assert (pattern.beats, hits) not in fitted_patterns, pattern.name


def _assert_new_families(
    bare_corpus: ModuleType, grooves: Sequence[corpus.Groove], taken: set[str], count: int
) -> None:
    # `count` grooves of as many families, none in `taken`, none reserved for judging, each
    # one MMA defines (where MMA is installed).
    families = [bare_corpus.groove_family(g.name) for g in grooves]
    assert len(set(families)) == len(families) == count
    defined = bare_corpus._groove_files()  # empty where MMA is not installed
    for groove, family in zip(grooves, families, strict=True):
        bare_corpus.check_source(groove=groove.name)
        assert family not in taken, groove.name
        assert not defined or bare_corpus._norm(groove.name) in defined, groove.name


def test_the_wider_families_are_new_to_every_other_corpus_and_none_is_reserved() -> None:
    # Corpus v5 widens what is fitted (and is judged as unheard families by the shipped
    # constants): a family shared with v2 would leak into its cross-validation folds, one shared
    # with v4 would make v4 no longer held out.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    import corpus as bare_corpus
    from corpus_wider import WIDER_GROOVES
    from tempo_stress import DRUM_TRACK_GROOVES, MORE_GROOVES, STRESS_GROOVES

    others = {bare_corpus.groove_family(g.name) for g in bare_corpus.GROOVES} | {
        bare_corpus.groove_family(s.groove.name)
        for s in STRESS_GROOVES + MORE_GROOVES + DRUM_TRACK_GROOVES
    }
    _assert_new_families(bare_corpus, WIDER_GROOVES, others, 31)


def test_the_unheard_families_play_no_band_any_corpus_plays_and_none_is_reserved() -> None:
    # Corpus v6 judges a band octave fitted on v2, v4 and v5 together: a family whose band any
    # of them plays would let that fit hear what it is judged on. Its families' drum tracks
    # alone are in v4 (drums are not what the band octave fits).
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    import corpus as bare_corpus
    from corpus_unheard import UNHEARD_GROOVES
    from corpus_wider import WIDER_GROOVES
    from tempo_stress import MORE_GROOVES, STRESS_GROOVES

    bands = {bare_corpus.groove_family(g.name) for g in bare_corpus.GROOVES + WIDER_GROOVES} | {
        bare_corpus.groove_family(s.groove.name) for s in STRESS_GROOVES + MORE_GROOVES
    }
    _assert_new_families(bare_corpus, UNHEARD_GROOVES, bands, 39)


def test_every_render_of_a_song_hands_mma_the_same_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MMA humanises grooves at random; unseeded, one clip rendered differently on every run
    # and every machine. A stand-in `mma` on PATH records what it was handed.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "mma"
    stand_in.write_text('#!/bin/sh\ncp "$3" "$2"\necho "$PYTHONHASHSEED" >> "$2"\n')
    stand_in.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    song = "Tempo 100\nGroove 8Beat\n1 C\n"
    handed = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        handed.append(corpus._midi(song, tmp_path / run).read_text())
    assert handed[0] == handed[1]
    first, *rest = handed[0].split("\n")
    assert first.startswith("RndSeed ") and int(first.split()[1]) >= 0
    assert "\n".join(rest) == song + "0\n"
    assert (
        corpus._midi("Tempo 101\nGroove 8Beat\n1 C\n", tmp_path / "a").read_text().split("\n")[0]
        != first
    )


def test_renders_cached_before_the_render_version_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "band000_old.wav").write_bytes(b"unseeded")
    corpus.fresh_cache(tmp_path)
    assert not list(tmp_path.glob("*.wav"))
    (tmp_path / "band000_new.wav").write_bytes(b"seeded")
    corpus.fresh_cache(tmp_path)
    assert [p.name for p in tmp_path.glob("*.wav")] == ["band000_new.wav"]


def test_the_soft_instrument_loops_refuse_a_reserved_sound_font_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    import corpus as bare_corpus
    import corpus_soft

    monkeypatch.setattr(corpus_soft, "SOUNDFONT", Path("/usr/share/sounds/sf2/TimGM6mb.sf2"))
    with pytest.raises(bare_corpus.ReservedSource):
        corpus_soft.build_soft(tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_soft_instrument_loop_holds_each_chord_legato_until_the_next(tmp_path: Path) -> None:
    # Chords every two beats of I V vi IV in D: each note ends just before the next chord
    # starts (no gap to read as an onset), the root doubled an octave down.
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    import corpus_soft
    import mido

    progression = ((0, ""), (7, ""), (9, "m"), (5, ""))
    corpus_soft._midi(tmp_path / "loop.mid", 48, 90.0, 2, 2, progression)
    now, notes, ends = 0, [], []
    for message in mido.MidiFile(tmp_path / "loop.mid").tracks[0]:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            notes.append((now, message.note))
        elif message.type in ("note_on", "note_off"):
            ends.append(now)
    starts = sorted({at for at, _ in notes})
    assert starts == [index * 960 for index in range((corpus_soft.BARS + 2) * 2)]
    assert sorted(set(ends)) == [start + 960 - 10 for start in starts]
    first_chord = sorted(note for at, note in notes if at == 0)
    assert first_chord == [38, 50, 54, 57]  # D2, D3, F#3, A3
    second_chord = sorted(note for at, note in notes if at == 960)
    assert second_chord == [45, 57, 61, 64]  # A2, A3, C#4, E4


def test_the_second_synthesiser_refuses_a_reserved_patch_set_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus, "FREEPATS_CONFIG", Path("/etc/timidity/opl3.cfg"))
    with pytest.raises(corpus.ReservedSource):
        corpus.timidity_freepats(tmp_path / "song.mid", tmp_path / "song.wav")
    assert not any(tmp_path.iterdir())


def test_every_general_midi_program_plays_a_freepats_patch_nearest_in_its_family() -> None:
    shipped = (
        "dir /usr/share/midi/freepats\n\ndrumset 0\n\n 36\tDrum_000/036_Kick_2.pat amp=100\n"
        "\nbank 0\n\n 0\tTone_000/000_Acoustic_Grand_Piano.pat\n"
        " 4\tTone_000/004_Electric_Piano_1_Rhodes.pat\n"
        " 48\tTone_000/048_String_Ensemble_1_Marcato.pat\n"
    )
    config = corpus._freepats_gm_config(shipped)
    head, bank = config.split("\nbank 0\n")
    assert "drumset 0" in head and "036_Kick_2.pat" in head
    patches = {
        int(program): patch
        for program, patch in (line.split("\t") for line in bank.splitlines() if line.strip())
    }
    assert list(patches) == list(range(128))
    # A missing piano plays the nearest piano; a second string ensemble, the first.
    assert patches[1] == patches[0] and patches[3] == patches[4]
    assert patches[49] == "Tone_000/048_String_Ensemble_1_Marcato.pat"
    # No organ at all (16-23): the nearest program of any family.
    assert patches[16] == patches[4]
