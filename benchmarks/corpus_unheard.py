"""Corpus v6: band loops of 39 families whose band no fitted constant has heard.

The band octave may be fitted on corpus v2, v4 and v5 together, cross-validated leaving out
whole families (`bench_features.py`). A fit on everything needs a judge that none of it
touched, and this is that judge: the band loops (drums, bass, chords, melody) of the 29
families whose drum tracks alone corpus v4 plays (no band octave ever heard their band), and
of the ten last 4/4 families of MMA's library that no corpus renders (pop, bossa, jazz
trios, gypsy and folky jazz, metal, twist). Rendered exactly as corpus v2's band loops
(`corpus.build_corpus`: FluidR3, v2's eight progressions, half cut to whole bars, a quarter
lo-fi), two loops a family; a test keeps its families apart from every band family of v2, v4
and v5 and from the families reserved for judging.

Left out on purpose, as in corpus v5: 2/4 patterns whose written Tempo is no pulse (Broadway,
the marches, ragtime, FastBigBand, the two-beat piano), Afro-Cuban in 3, ambient pads,
SlowBolero (too near a reserved family), the metronomes, and WRock, which MMA fails to
load.
"""

from __future__ import annotations

from pathlib import Path

from corpus import Corpus, Groove, Render, build_band_families
from tempo_stress import DRUM_TRACK_GROOVES

OUT = Path(__file__).resolve().parent / "out" / "corpus-v6"
LOOPS_PER_FAMILY = 2
_SEED = 606

# (MMA groove, tempo range in BPM) of the families no corpus renders in any form.
_LAST_FAMILIES = tuple(
    Groove(name, 4, low, high, "4/4")
    for name, low, high in (
        ("Pop", 95, 130), ("KBossaA", 110, 140), ("JazzBossaA", 110, 140),
        ("JazzGrTrioMainA", 100, 160), ("JazzTrioMainA", 100, 160),
        ("Metal2A", 100, 160), ("FolkyJazzGuitar", 90, 130), ("GypsyJazz", 140, 200),
        ("QuandoGSMainA", 100, 130), ("TwiMainA", 140, 170),
    )
)  # fmt: skip

UNHEARD_GROOVES = tuple(s.groove for s in DRUM_TRACK_GROOVES) + _LAST_FAMILIES


def build_unheard(out_dir: Path = OUT, render: Render | None = None) -> Corpus:
    """Render (or reuse) corpus v6 under out_dir: LOOPS_PER_FAMILY band loops of each family,
    through `render` (FluidR3 where None); empty where the tools are missing."""
    return build_band_families(out_dir, UNHEARD_GROOVES, LOOPS_PER_FAMILY, _SEED, render)
