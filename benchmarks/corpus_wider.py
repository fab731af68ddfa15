"""Corpus v5: band loops of 31 more groove families, unheard by the shipped constants.

The band octave (analysis_engine.features.octave) is a linear score fitted on corpus v2's band
loops (47 families); the octave of a groove it never heard is what the issue judges. The
benchmark (`bench_features.py`) reads this set two ways: as unheard families for the shipped
constants (nothing shipped is fitted on it; the shipped octave read 88.2 % of these right, key
MIREX 90.8), and as a wider pool for the octave, fitted on v2 and v5 together and
cross-validated over both leaving out whole families, beside the fit on v2 alone. On this
render the wider pool read v2 92.7 -> 92.7, v5 88.2 -> 90.3 and corpus v4's band loops
88.4 -> 89.9, but v4's harder 48 83.3 -> 81.2: too little to ship, so the shipped octave is
still fitted on v2 alone.

They are rendered exactly as v2's band loops (`corpus.build_corpus`: FluidR3, v2's eight
progressions, half cut to whole bars, a quarter lo-fi), three loops a family. Every family is
4/4 (MMA's Time 4) and its truth is the rendered Tempo; none is one of v2's or v4's families
nor reserved for judging (a test proves both). MMA's library holds a few more unused families
left out on purpose: 2/4 patterns whose written Tempo is no pulse (Broadway, FastBigBand,
marches, ragtime, the two-beat piano), Afro-Cuban in 3, ambient pads without a beat, and
SlowBolero, too near a reserved family.
"""

from __future__ import annotations

from pathlib import Path

from corpus import Corpus, Groove, build_band_families

OUT = Path(__file__).resolve().parent / "out" / "corpus-v5"
LOOPS_PER_FAMILY = 3
_SEED = 505

# (MMA groove, tempo range in BPM): pop, rock, ballads, dance, jazz, big band, gospel.
WIDER_GROOVES = tuple(
    Groove(name, 4, low, high, "4/4")
    for name, low, high in (
        ("16Beat3", 80, 110), ("16Shuffle2", 80, 110), ("8Beat3", 100, 140),
        ("8BeatBallad2", 65, 90), ("8BeatBallad3", 65, 90), ("8BeatDance", 115, 130),
        ("8BeatPop2", 95, 135), ("8BeatPop3", 95, 135), ("Arpeggio4", 80, 120),
        ("Dance2", 120, 135), ("DancePop1", 110, 130), ("DancePop2", 110, 130),
        ("DancePop3", 110, 130), ("DigitalRock", 100, 140), ("JazzGuitar", 100, 150),
        ("JazzRhumba", 90, 130), ("LatinHouse", 118, 128), ("MiddleBigBand", 70, 100),
        ("ModernJazz", 100, 160), ("PopRock2", 100, 140), ("PopShuffle2", 100, 140),
        ("Rave", 130, 145), ("Rock2", 100, 150), ("Serenade", 60, 90),
        ("ShuffleBoogie", 100, 140), ("SlowBigBand", 60, 90), ("SlowSpiritual", 60, 90),
        ("Spiritual", 120, 180), ("Trance1", 128, 140), ("Trance2", 128, 140),
        ("HeavyMetal", 100, 160),
    )
)  # fmt: skip


def build_wider(out_dir: Path = OUT) -> Corpus:
    """Render (or reuse) corpus v5 under out_dir: LOOPS_PER_FAMILY band loops of each family;
    empty where the tools are missing."""
    return build_band_families(out_dir, WIDER_GROOVES, LOOPS_PER_FAMILY, _SEED)
