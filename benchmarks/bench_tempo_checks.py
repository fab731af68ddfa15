"""Checks for a tempo rule before it ships: clips rendered only to see what a rule breaks.

    .venv/bin/python benchmarks/bench_tempo_checks.py

The drum rule (`rhythm.settle_octave`) is set by hand, not fitted, so cross-validation says
nothing about it; and the 12/8 rule (`octave.bars_at_two_thirds`) was designed on corpus v4's
casio SlowRock. Each is checked here on clips that neither rule was shaped on:

- the General MIDI drum tracks of every corpus v2 family and of corpus v4's thirty more 4/4
  families (grooves with a snare once a bar, brushes, rides: what the 60 BPM floor and the
  onset-a-beat rule are about);
- the drum tracks of corpus v4's twenty-nine more families at other tempi than v4's (the
  onset-a-beat rule was designed on v4's renders of them);
- band loops and drum tracks of pflib's slowrock, a 12/8 family no corpus plays (read right,
  they must stay right under the 12/8 rule);
- for the waltz rule (`octave.waltz_bar_at`, FEATURE_VERSION 12): band loops of every variant
  of the free 3/4 families at 140-215 BPM, where the engine counted bars, beside 12/8 grooves
  (drawn once, after the rule was fixed), and band loops of the families' "Sus" variants at
  85-215, every corpus v2 4/4 family at 50-80 BPM (a slow reading the rule must leave alone)
  and 12/8 and 6/8 grooves. No 3/4 family is both free and unheard (the reserved Waltz family
  includes vienesewaltz.mma), so these are v2's and v4's families at other tempi.

Truth is the rendered Tempo as in corpus v4 (Ballad68's is 1.5 x, see corpus.Groove.pulse).
Clips are cached under benchmarks/out/tempo-checks; grooves whose drum tracks MMA cannot render
alone are skipped and named.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import torch
from bench_features import clip_evidence, tempo_hits
from corpus import GROOVES, Groove, groove_family, tools_available
from tempo_stress import DRUM_TRACK_GROOVES, MORE_GROOVES, StressClip, _groove_clips

from analysis_engine.features.extractor import decide

OUT = Path(__file__).resolve().parent / "out" / "tempo-checks"
# pflib's slowrock grooves and how many band loops of each (then one loop of its drum tracks).
SLOW_ROCK = (
    (Groove("slowrockA", 4, 50, 80, "12/8"), 5),
    (Groove("slowrockB", 4, 50, 80, "12/8"), 4),
)


# Every variant of the free 3/4 families (corpus v2's and v4's FastJazzWaltz).
WALTZES = (
    "RockWaltz", "RockWaltz1", "RockWaltzWalk", "RockWaltz1WalkSus", "BroadwayWaltz",
    "BroadwayWaltz1", "BroadwayWaltz2", "ArpeggioWaltz", "ArpeggioWaltz8", "ArpeggioWaltz48",
    "FrenchWaltz", "FrenchWaltz1", "FrenchWaltz2", "FrenchWaltz3", "ModernJazzWaltz",
    "ModernJazzWaltz1", "ModernJazzWaltz2", "FastWaltz", "FastWaltzWalk", "FastWaltzPlus",
    "FastJazzWaltz", "FastJazzWaltz1", "FastJazzWaltz2",
)  # fmt: skip
SUS_WALTZES = (
    "RockWaltzSus", "RockWaltz1Sus", "RockWaltz1Walk", "BroadwayWaltzSus", "BroadwayWaltz1Sus",
    "ArpeggioWaltzSus", "Arpeggiowaltz8Sus", "FrenchWaltz1Sus", "FrenchWaltz2Sus",
    "FrenchWaltz3Sus", "ModernJazzWaltzSus", "ModernJazzWaltz1Sus", "FastWaltzSus",
    "FastWaltzWalkSus", "FastWaltzSusPlus", "FastJazzWaltzSus", "FastJazzWaltz1Sus",
    "FastJazzWaltz2Sus",
)  # fmt: skip
TWELVE_EIGHT = (
    Groove("Ballad128", 4, 50, 80, "12/8"), Groove("Blues128", 4, 50, 80, "12/8"),
    Groove("Rock128", 4, 55, 90, "12/8"), *(g for g, _ in SLOW_ROCK),
    Groove("SlowRock", 4, 50, 75, "12/8"),
)  # fmt: skip
SIX_EIGHT = (
    Groove("Blues68", 6, 100, 160, "6/8"), Groove("Arpeggio68", 6, 100, 160, "6/8"),
    Groove("Ballad68", 4, 50, 80, "6/8", pulse=1.5), Groove("68Ballad", 6, 130, 170, "6/8"),
)  # fmt: skip


def _waltz_checks() -> None:
    pulse = {groove_family(g.name): g.pulse for g in SIX_EIGHT if g.pulse != 1.0}
    fast = [("3/4", Groove(name, 3, 140, 215, "3/4"), False) for name in WALTZES for _ in range(2)]
    compound = [("12/8", g, False) for g in TWELVE_EIGHT for _ in range(3)]
    rendered = _render(fast + compound, 9909, "j4")
    _report("3/4 families' band loops at 140-215 BPM", rendered[: len(fast)], pulse)
    _report("12/8 band loops beside them", rendered[len(fast) :], pulse)
    plan = [("3/4", Groove(n, 3, 150, 215, "3/4"), False) for n in SUS_WALTZES]
    plan += [("3/4", Groove(n, 3, 85, 150, "3/4"), False) for n in SUS_WALTZES]
    slow = [("4/4", Groove(g.name, 4, 50, 80, "4/4"), False) for g in GROOVES if g.meter == "4/4"]
    plan += slow + [("6/8", g, False) for g in (*TWELVE_EIGHT, *SIX_EIGHT) for _ in range(2)]
    rendered = _render(plan, 9505, "jd")
    waltzes = 2 * len(SUS_WALTZES)
    _report("3/4 'Sus' variants at 85-215 BPM", rendered[:waltzes], pulse)
    _report("corpus v2's 4/4 families at 50-80 BPM", rendered[waltzes : waltzes + len(slow)], pulse)
    _report("12/8 and 6/8 band loops", rendered[waltzes + len(slow) :], pulse)


def _render(plan: list[tuple[str, Groove, bool]], seed: int, prefix: str) -> list[StressClip]:
    # One clip at a time, so a groove MMA cannot render alone is skipped, not the whole plan.
    clips: list[StressClip] = []
    rng, key_rng = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    for index, item in enumerate(plan):
        try:
            clips += _groove_clips(OUT, [item], rng, key_rng, seed + index, f"{prefix}{index:03d}")
        except subprocess.CalledProcessError:
            print(f"  skipped {item[1].name}: MMA renders no drum track of it alone")
    return clips


def _report(title: str, clips: list[StressClip], pulse: dict[str, float]) -> None:
    evidence = clip_evidence([c.clip for c in clips])
    hits, misses = 0, []
    for item, evidence_of in zip(clips, evidence, strict=True):
        truth = item.clip.bpm * pulse.get(item.clip.group, 1.0)
        answer = decide(evidence_of).tempo_bpm
        if tempo_hits(answer, truth)[0]:
            hits += 1
        else:
            first = float(evidence_of.stats["first_bpm"])
            misses.append(f"{item.clip.name}: {answer and round(answer, 1)} (first {first:.1f})")
    print(f"{title}: Acc1 {hits} of {len(clips)} ({hits / max(1, len(clips)):.3f})")
    for line in misses:
        print("    " + line)


def main() -> None:
    if not tools_available():
        raise SystemExit("needs MMA, FluidSynth and the FluidR3 sound font (see corpus.py)")
    torch.set_num_threads(2)
    OUT.mkdir(parents=True, exist_ok=True)
    grooves = [*GROOVES, *(s.groove for s in MORE_GROOVES)]
    tracks = _render([("drum tracks", g, True) for g in grooves], 515, "gm")
    pulse = {groove_family(g.name): g.pulse for g in grooves if g.pulse != 1.0}
    _report("GM drum tracks of corpus v2's and v4's 4/4 families", tracks, pulse)
    more = [("drum tracks", s.groove, True) for s in DRUM_TRACK_GROOVES for _ in range(2)]
    _report("GM drum tracks of v4's 29 more families, other tempi", _render(more, 717, "vd"), {})
    slow_rock = [
        ("12/8", g, drums) for g, bands in SLOW_ROCK for drums in (False,) * bands + (True,)
    ]
    rendered = _groove_clips(
        OUT, slow_rock, np.random.default_rng(4242), np.random.default_rng(4243), 4242, "sr"
    )
    _report("pflib slowrock (12/8), band loops and drum tracks", rendered, {})
    _waltz_checks()


if __name__ == "__main__":
    main()
