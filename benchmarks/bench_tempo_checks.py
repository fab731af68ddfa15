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
  they must stay right under the 12/8 rule).

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


if __name__ == "__main__":
    main()
