"""The benchmark corpus never takes a source reserved for judging the engine."""

from __future__ import annotations

import re
from pathlib import Path

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
