"""Tempo, onsets and one-shot vs loop on click tracks and drum patterns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from analysis_engine.features import octave, rhythm
from analysis_engine.features.extractor import decide_tempo, extract_batch
from tests.analysis_engine.features.synthetic_audio import (
    SR,
    band_mix,
    click_track,
    drum_loop,
    kick_one_shot,
    shuffle_band_mix,
    shuffle_loop,
    sine_pad,
    six_eight_band_mix,
    stab_band_mix,
    swelling_chords,
    twelve_eight_loop,
    waltz_band_mix,
    waltz_loop,
)


@pytest.mark.parametrize("bpm", [70.0, 90.0, 120.0, 140.0, 174.0])
def test_a_click_track_reads_its_tempo_within_two_percent(bpm: float) -> None:
    (features,) = extract_batch([(click_track(bpm, 12.0), SR)])
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.02)
    assert features.onset_rate == pytest.approx(bpm / 60.0, rel=0.1)


@pytest.mark.parametrize("bpm", [86.5, 133.0])
def test_a_click_track_at_an_odd_tempo_is_not_rounded(bpm: float) -> None:
    (features,) = extract_batch([(click_track(bpm, 10.0), SR)])
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.02)


@pytest.mark.parametrize(
    ("bpm", "bars", "variant"),
    [
        (70.0, 2, 0),
        (80.0, 4, 1),
        (90.0, 2, 0),
        (100.0, 2, 1),
        (120.0, 1, 0),
        (120.0, 4, 1),
        (140.0, 2, 0),
        (160.0, 2, 1),
        (174.0, 4, 0),
    ],
)
def test_a_drum_loop_of_whole_bars_reads_its_exact_tempo_at_the_quarter_note(
    bpm: float, bars: int, variant: int
) -> None:
    (features,) = extract_batch([(drum_loop(bpm, bars, variant=variant), SR)])
    assert features.is_loop
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.001)


def test_band_mixes_read_at_the_quarter_note_not_double_or_half() -> None:
    # Chords over the drums hide the backbeat rule's snare, so the octave is the fitted
    # choice's: a tempo prior alone reads 68 as 136 and 150-168 at half speed here.
    tempi = [68.0, 72.0, 85.0, 100.0, 120.0, 150.0, 160.0, 168.0]
    clips = [(band_mix(bpm, 8 if bpm >= 110 else 4), SR) for bpm in tempi]
    for bpm, features in zip(tempi, extract_batch(clips), strict=True):
        assert features.tempo_bpm == pytest.approx(bpm, rel=0.02), bpm
        assert features.is_loop


@pytest.mark.parametrize(("bpm", "bars"), [(52.0, 2), (52.0, 4), (56.0, 2)])
def test_a_band_mix_under_60_reads_its_beat_from_its_chords_changing_once_a_bar(
    bpm: float, bars: int
) -> None:
    # Read at double (104-112), the chords stay the same four beats on; at the true tempo,
    # two beats on is the same chord and four beats on the next one. Without that cue the
    # fitted octave kept the double.
    (features,) = extract_batch([(band_mix(bpm, bars), SR)])
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.02)


def test_a_slow_two_bar_band_loop_reads_its_bar_from_its_two_chords() -> None:
    # Two bars at 68 BPM, one chord a bar: the bar is exactly half the clip, the one lag at
    # which its chords can show that they change once a bar. Read as past half the clip (and so
    # as no evidence), the loop went to 136.
    (features,) = extract_batch([(band_mix(68.0, 2), SR)])
    assert features.tempo_bpm == pytest.approx(68.0, rel=0.001)


def test_a_drum_heavy_band_mix_reads_its_quarter_note_not_double() -> None:
    # Loud drums under short chord stabs: the snare's band is as percussive as a drum loop's,
    # but the clip is pitched (it gets a key), so its octave is the band mixes' fitted choice.
    # The drum loops' backbeat rule read all three at double tempo.
    tempi = [75.0, 85.0, 100.0]
    clips = [(stab_band_mix(bpm, 4), SR) for bpm in tempi]
    for bpm, features in zip(tempi, extract_batch(clips), strict=True):
        assert features.key is not None, bpm
        assert features.tempo_bpm == pytest.approx(bpm, rel=0.02), bpm


@pytest.mark.parametrize(("bpm", "bars"), [(90.0, 4), (100.0, 4), (120.0, 4), (150.0, 8)])
def test_a_waltz_drum_loop_reads_its_quarter_note_not_double(bpm: float, bars: int) -> None:
    # Snares on beats 2 and 3 read as a backbeat at double tempo; a loop of whole 3/4 bars
    # is a waltz, and its tempo stays at the quarter note.
    (features,) = extract_batch([(waltz_loop(bpm, bars), SR)])
    assert features.is_loop
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.001)


@pytest.mark.parametrize(("bpm", "bars"), [(80.0, 2), (95.0, 2), (110.0, 4)])
def test_a_shuffle_drum_loop_reads_its_quarter_note_not_double(bpm: float, bars: int) -> None:
    # Loud hats on every beat over a soft snare read as a backbeat at double tempo; but the
    # beat splits in three (swung eighths), and double the tempo would put a beat every one
    # and a half triplets, which no groove does.
    (features,) = extract_batch([(shuffle_loop(bpm, bars), SR)])
    assert features.is_loop
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.001)


def test_waltz_band_mixes_read_at_the_quarter_note_not_the_bar_or_double() -> None:
    # Three beats a bar: the octave choice must neither count bars nor double the eighths.
    tempi = [90.0, 110.0, 130.0, 150.0, 170.0]
    clips = [(waltz_band_mix(bpm, 4 if bpm < 120 else 8), SR) for bpm in tempi]
    for bpm, features in zip(tempi, extract_batch(clips), strict=True):
        assert features.tempo_bpm == pytest.approx(bpm, rel=0.02), bpm
        assert features.is_loop


def test_a_shuffle_band_mix_reads_its_beat_not_the_double() -> None:
    # A slow 12/8 or shuffle ballad: each beat is three triplets, so double the tempo would
    # put a beat every one and a half triplets.
    tempi = [60.0, 75.0, 90.0]
    clips = [(shuffle_band_mix(bpm, 2), SR) for bpm in tempi]
    for bpm, features in zip(tempi, extract_batch(clips), strict=True):
        assert features.tempo_bpm == pytest.approx(bpm, rel=0.02), bpm


@pytest.mark.parametrize(("eighths", "tempo"), [(120.0, 120.0), (140.0, 140.0), (210.0, 70.0)])
def test_a_6_8_band_mix_reads_its_eighths_or_its_dotted_quarter(
    eighths: float, tempo: float
) -> None:
    # Counted in eighths (as a 6/8 groove counts itself) up to a moderate tempo, in dotted
    # quarters when the eighths run fast; never two eighths a beat, which cuts across the
    # bar's two groups of three.
    (features,) = extract_batch([(six_eight_band_mix(eighths, 4 if eighths < 150 else 8), SR)])
    assert features.tempo_bpm == pytest.approx(tempo, rel=0.02)


def _model_following_the_prior() -> tuple[octave.OctaveModel, list[list[float]], int]:
    """A model whose score follows only the "prior" cue, blank cues for every candidate, and
    the prior's column: a test sets which candidate the model prefers."""
    width = len(octave.FEATURE_NAMES)
    pushy = octave.OctaveModel((0.0,) * width, (1.0,) * width, (5.0,) + (0.0,) * (width - 1))
    cues = [[0.0] * width for _ in octave.FACTORS]
    return pushy, cues, octave.FEATURE_NAMES.index("prior")


def test_no_octave_model_doubles_a_beat_that_splits_in_three() -> None:
    half_beat = octave.FEATURE_NAMES.index("repeat_after_half_beat")
    third_beat = octave.FEATURE_NAMES.index("repeat_after_third_beat")
    # A model whose score prefers the double candidate above all.
    pushy, cues, prior = _model_following_the_prior()
    cues[octave.FACTORS.index(1.0)][prior] = 0.5
    cues[octave.FACTORS.index(2.0)][prior] = 1.0
    estimate = cues[octave.FACTORS.index(1.0)]
    # The envelope repeats after a third of the estimate's beat, not after half: triplets.
    estimate[third_beat], estimate[half_beat] = 0.3, -0.1
    assert octave.choose(70.0, cues, pushy)[0] == 70.0
    # A straight beat (it repeats after half a beat) may still be doubled.
    estimate[third_beat], estimate[half_beat] = -0.1, 0.3
    assert octave.choose(70.0, cues, pushy)[0] == 140.0


def test_beats_grouped_in_three_are_never_halved_but_may_be_taken_three_at_a_time() -> None:
    # A 6/8 read at its eighths (or a 12/8 at its triplets): two eighths make no beat of the
    # bar, three do. Whatever a fitted model prefers, the half is out and the third may win.
    at_beat = octave.FEATURE_NAMES.index("energy_at_beat")
    groups_of_three = octave.FEATURE_NAMES.index("energy_at_beat_and_half")
    # A model whose score follows the "prior" cue: the half first, then the third.
    pushy, cues, prior = _model_following_the_prior()
    for factor, preference in ((1.0 / 3.0, 0.8), (0.5, 1.0), (1.0, 0.5), (2.0, 0.0)):
        cues[octave.FACTORS.index(factor)][prior] = preference
    half = cues[octave.FACTORS.index(0.5)]
    # The envelope pulses at a third of the estimate's rate far more than at half of it.
    half[groups_of_three], half[at_beat] = 0.3, 0.05
    assert octave.choose(210.0, cues, pushy)[0] == pytest.approx(70.0)
    # Straight pairs (a 4/4 read at its eighths): the half may win, and a third never does.
    half[groups_of_three], half[at_beat] = 0.05, 0.3
    assert octave.choose(210.0, cues, pushy)[0] == pytest.approx(105.0)
    cues[octave.FACTORS.index(1.0 / 3.0)][prior] = 2.0
    assert octave.choose(210.0, cues, pushy)[0] == pytest.approx(105.0)


def _bar_at_two_thirds(cues: list[list[float]]) -> None:
    """Cues of a 12/8 read at two triplets a beat: at two thirds of the estimate a snare on
    beats two and four and a chord a four-beat bar, at the estimate a snare on every beat."""
    names = octave.FEATURE_NAMES
    bar, estimate = cues[octave.FACTORS.index(2.0 / 3.0)], cues[octave.FACTORS.index(1.0)]
    bar[names.index("backbeat")], estimate[names.index("backbeat")] = 0.8, -0.9
    bar[names.index("harmony_pulse_per_bar")] = 1.0
    bar[names.index("harmony_per_bar")] = 0.5


def test_a_bar_at_two_thirds_of_the_estimate_takes_the_tempo_whatever_the_model_prefers() -> None:
    # A model whose score follows the "prior" cue and prefers the estimate.
    pushy, cues, prior = _model_following_the_prior()
    cues[octave.FACTORS.index(1.0)][prior] = 1.0
    _bar_at_two_thirds(cues)
    assert octave.choose(111.0, cues, pushy)[0] == pytest.approx(74.0)
    # Also where the model's favourite comes before two thirds among the candidates (a tie
    # must not hand the half the win).
    cues[octave.FACTORS.index(0.5)][prior] = 2.0
    assert octave.choose(111.0, cues, pushy)[0] == pytest.approx(74.0)


@pytest.mark.parametrize(
    "missing", ["backbeat", "anti-backbeat", "harmony_pulse_per_bar", "harmony_per_bar"]
)
def test_two_thirds_of_the_estimate_needs_the_snare_and_the_chords_to_agree(
    missing: str,
) -> None:
    # Each cue alone is common in 4/4 mixes read right (a 12/8's snare reads as a backbeat at
    # two thirds of its true tempo too): with any one of the four missing, no 3:2 move, even
    # for a model that would prefer it.
    pushy, cues, prior = _model_following_the_prior()
    cues[octave.FACTORS.index(2.0 / 3.0)][prior] = 2.0
    cues[octave.FACTORS.index(1.0)][prior] = 1.0
    _bar_at_two_thirds(cues)
    names = octave.FEATURE_NAMES
    if missing == "anti-backbeat":
        cues[octave.FACTORS.index(1.0)][names.index("backbeat")] = 0.0
    else:
        cues[octave.FACTORS.index(2.0 / 3.0)][names.index(missing)] = 0.0
    assert not octave.bars_at_two_thirds(cues)
    assert octave.choose(111.0, cues, pushy)[0] == pytest.approx(111.0)


def _waltz_bar(cues: list[list[float]], bar: float) -> None:
    """Cues of a waltz whose bar is the candidate at `bar` times the estimate: its chords come
    back after four of those bars and not after one, and the kick and bass pulse three times
    a bar."""
    names = octave.FEATURE_NAMES
    cues[octave.FACTORS.index(bar)][names.index("chords_return_after_four_beats")] = 0.2
    beat = min(octave.FACTORS, key=lambda f: abs(f - 3.0 * bar))
    cues[octave.FACTORS.index(beat)][names.index("low_energy_at_beat")] = 1.0


@pytest.mark.parametrize(
    ("bar", "reading", "unruled", "tempo"), [(1.0, 66.0, 66.0, 198.0), (0.5, 132.0, 66.0, 198.0)]
)
def test_a_waltz_read_at_its_bar_or_half_of_it_takes_three_beats_a_bar(
    bar: float, reading: float, unruled: float, tempo: float
) -> None:
    # A fast waltz reads its bar as the beat (or its bar split in two); a model that prefers
    # the estimate, or its half, must not keep the bar.
    pushy, cues, prior = _model_following_the_prior()
    cues[octave.FACTORS.index(1.0)][prior] = 1.0
    cues[octave.FACTORS.index(0.5)][prior] = 2.0
    assert octave.choose(reading, cues, pushy)[0] == pytest.approx(unruled)
    _waltz_bar(cues, bar)
    assert octave.choose(reading, cues, pushy)[0] == pytest.approx(tempo)


def test_a_waltz_read_at_its_beat_is_never_taken_to_its_bar_or_halved() -> None:
    # The third of a waltz read right is its bar: a model preferring the third, or the half
    # (a beat and a half, no metrical level), keeps the estimate.
    pushy, cues, prior = _model_following_the_prior()
    half = cues[octave.FACTORS.index(0.5)]
    # Beats grouped in threes, so the third may be taken (and the half may not).
    half[octave.FEATURE_NAMES.index("energy_at_beat_and_half")] = 0.3
    cues[octave.FACTORS.index(1.0 / 3.0)][prior] = 2.0
    assert octave.choose(195.0, cues, pushy)[0] == pytest.approx(65.0)
    _waltz_bar(cues, 1.0 / 3.0)
    assert octave.choose(195.0, cues, pushy)[0] == pytest.approx(195.0)
    # Grouped in pairs, the half is open to the score, but the waltz's bar still decides.
    half[octave.FEATURE_NAMES.index("energy_at_beat_and_half")] = 0.0
    half[prior] = 3.0
    assert octave.choose(195.0, cues, pushy)[0] == pytest.approx(195.0)


@pytest.mark.parametrize("missing", ["chords_return_after_four_beats", "low_energy_at_beat"])
def test_three_times_the_estimate_needs_the_chords_and_the_bass_to_agree(missing: str) -> None:
    # A slow 4/4 or 12/8 read right changes chord once a bar of its beats, so four of them on
    # plays another chord; and kick and bass that do not pulse on the would-be beats are no
    # oom-pah-pah. With either missing, a slow reading stays put.
    pushy, cues, prior = _model_following_the_prior()
    cues[octave.FACTORS.index(1.0)][prior] = 1.0
    _waltz_bar(cues, 1.0)
    names = octave.FEATURE_NAMES
    row = octave.FACTORS.index(1.0 if missing.startswith("chords") else 3.0)
    cues[row][names.index(missing)] = 0.0
    assert not octave.waltz_bar_at(cues, 1.0)
    assert octave.choose(66.0, cues, pushy)[0] == pytest.approx(66.0)


def test_chords_four_bars_apart_read_alike_and_silence_takes_no_part() -> None:
    # Four chords of ten frames each, three times through, a silent gap in the middle: the
    # chroma comes back after forty frames, not after ten.
    chords = [(0, 4, 7), (5, 9, 0), (7, 11, 2), (9, 0, 4)]
    frames = []
    for _ in range(3):
        for chord in chords:
            column = torch.zeros(12)
            column[list(chord)] = 1.0
            frames += [column] * 10
    chroma = torch.stack(frames, dim=1)
    chroma[:, 55:60] = 0.0
    alike = octave.chord_similarity_by_lag(chroma[None])[0]
    assert alike[40] == pytest.approx(1.0, abs=0.02)
    assert alike[10] < 0.6
    assert alike[40] - alike[10] > 0.4
    # A clip too short for a lag still answers (nothing to compare reads as 0).
    assert octave.chord_similarity_by_lag(torch.ones(1, 12, 1)).shape == (1, 2)


@pytest.mark.parametrize("bpm", [180.0, 195.0, 210.0])
def test_a_fast_waltz_band_mix_reads_its_beat_not_its_bar(bpm: float) -> None:
    # Eight bars of a waltz under a four-chord progression, a chord a bar: the fitted octave
    # took these to their bar (60-70 BPM) before the chords' four-bar return was read.
    (features,) = extract_batch([(waltz_band_mix(bpm, 8), SR)])
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.02)


@pytest.mark.parametrize(("bpm", "bars"), [(50.0, 2), (60.0, 2), (68.0, 2)])
def test_a_slow_12_8_drum_loop_reads_its_dotted_quarter_not_its_triplets(
    bpm: float, bars: int
) -> None:
    # Hats on every triplet read as the beat at three times the tempo; the snare's backbeat
    # sits at a third of that reading, where the loop's length makes whole 4/4 bars.
    (features,) = extract_batch([(twelve_eight_loop(bpm, bars), SR)])
    assert features.is_loop
    assert features.tempo_bpm == pytest.approx(bpm, rel=0.001)


_FRAME_RATE = 22050 / 512


def _settled_drum_loop(
    frames_per_beat: int,
    snare: slice,
    onsets_per_beat: float,
    bright_per_beat: float | None = None,
    softer: tuple[slice, float] | None = None,
) -> tuple[float, float]:
    """(reading, settled tempo) of eight 4/4 bars read at `frames_per_beat`: a hit in the snare
    band on the `snare` frames (and, where `softer` says, hits of its level on its frames), so
    many onsets a beat, and (unless None) so many hat onsets."""
    bpm = 60.0 * _FRAME_RATE / frames_per_beat
    frames = 8 * 4 * frames_per_beat
    backbeat = torch.zeros(1, frames)
    backbeat[0, snare] = 1.0
    if softer is not None:
        backbeat[0, softer[0]] = softer[1]
    duration = torch.tensor([frames / _FRAME_RATE])
    n_frames = torch.tensor([frames])

    def per_second(per_beat: float) -> torch.Tensor:
        return torch.tensor([per_beat * 4 * 8]) / duration

    bright = None if bright_per_beat is None else per_second(bright_per_beat)
    acf = rhythm.normalised_acf(rhythm.smooth(backbeat), n_frames)
    settled = rhythm.settle_octave(
        torch.tensor([bpm]), per_second(onsets_per_beat), backbeat, torch.tensor([True]),
        n_frames, _FRAME_RATE, duration, acf, bright,
    )  # fmt: skip
    return bpm, float(settled[0])


def test_a_half_time_loop_whose_quiet_hats_run_in_sixteenths_is_not_halved() -> None:
    # Eight bars at 129.2 BPM (20 frames a beat): kick and snare four times a bar, the snare
    # once, on beat 3, which reads as a backbeat at half the tempo. The full-band onsets
    # allow that half; the hats, counted on their own at sixteen a bar, do not.
    bpm, settled = _settled_drum_loop(20, slice(40, None, 80), 1.0)
    assert settled == pytest.approx(bpm / 2.0)
    bpm, settled = _settled_drum_loop(20, slice(40, None, 80), 1.0, bright_per_beat=4.0)
    assert settled == pytest.approx(bpm)


def test_a_rock_loop_with_its_snare_once_a_bar_is_not_halved_below_a_slow_beat() -> None:
    # Eight bars at 99.4 BPM (26 frames a beat), eighth notes throughout, the snare once a bar
    # on beat 3: that reads as a backbeat at half the tempo, as a half-time groove's does (the
    # test above halves one at 129 BPM to 64.6), but here the half would be 49.7 BPM, a bar of
    # a rock or ballad groove rather than a slow hip-hop beat. The reading stays, and no other
    # move takes its place.
    bpm, settled = _settled_drum_loop(26, slice(52, None, 104), 2.0, bright_per_beat=2.0)
    assert settled == pytest.approx(bpm)


@pytest.mark.parametrize(("beat_four", "halved"), [(0.1, True), (0.2, False)])
def test_a_reading_with_a_backbeat_of_its_own_is_halved_only_for_a_clearly_stronger_one(
    beat_four: float, halved: bool
) -> None:
    # Eight bars read at 129.2 BPM (20 frames a beat), the snare loud on beat 2 and softer on
    # beat 4. At half the tempo the loud snare falls once every two bars (a backbeat, 0.66-0.86);
    # at the reading the two make a lopsided one (0.21-0.42), as a two-beat or a rhumba track's
    # does. Only the fainter beat 4 leaves the half clearly ahead (by 0.65, not 0.24).
    bpm, settled = _settled_drum_loop(
        20, slice(20, None, 80), 2.0, bright_per_beat=2.0, softer=(slice(60, None, 80), beat_four)
    )
    assert settled == pytest.approx(bpm / 2.0 if halved else bpm)


def test_a_one_drop_read_at_its_hats_is_halved_to_its_bar_of_four() -> None:
    # Eight bars read at 143.6 BPM (18 frames a beat), an onset on every beat (eighth hats of a
    # 71.8 BPM reggae groove) and kick and snare together once every eight beats of the
    # reading: no bar is eight beats long, so the reading is doubled and the snare's "bar"
    # at half of it holds four beats.
    bpm, settled = _settled_drum_loop(18, slice(72, None, 144), 1.0, bright_per_beat=1.0)
    assert settled == pytest.approx(bpm / 2.0)


def test_a_snare_once_in_eight_beats_is_not_halved_below_a_slow_beat() -> None:
    # The same pattern read at 99.4 BPM would halve to 49.7, a ballad's bar: it stays.
    bpm, settled = _settled_drum_loop(26, slice(104, None, 208), 1.0, bright_per_beat=1.0)
    assert settled == pytest.approx(bpm)


@pytest.mark.parametrize(("onsets_per_beat", "moves_up"), [(1.6, False), (2.5, True)])
def test_a_backbeat_at_double_the_reading_needs_an_onset_on_each_of_its_beats(
    onsets_per_beat: float, moves_up: bool
) -> None:
    # Eight bars read at 76 BPM (34 frames a beat) with a snare-band hit on every beat: at
    # twice the reading that is a backbeat. A jazz ride's 1.6 onsets a beat leave the doubled
    # beats 0.8 each, too sparse for a groove at 152; a drum'n'bass loop's are denser.
    bpm, settled = _settled_drum_loop(
        34, slice(17, None, 34), onsets_per_beat, bright_per_beat=onsets_per_beat
    )
    assert settled == pytest.approx(2.0 * bpm if moves_up else bpm)


def test_a_decaying_hit_is_a_one_shot_without_tempo() -> None:
    (features,) = extract_batch([(kick_one_shot(), SR)])
    assert not features.is_loop
    assert features.tempo_bpm is None
    assert features.tempo_confidence == 0.0


def test_a_repeating_pattern_is_a_loop_with_a_confident_tempo() -> None:
    one_shot, loop = extract_batch([(kick_one_shot(), SR), (drum_loop(95.0, 2), SR)])
    assert loop.is_loop and not one_shot.is_loop
    assert loop.tempo_confidence > 0.3


def test_a_sustained_pad_has_one_onset_and_no_tempo() -> None:
    (features,) = extract_batch([(sine_pad(6.0), SR)])
    assert features.tempo_bpm is None
    assert not features.is_loop
    assert features.onset_rate * 6.0 <= 1.5


@pytest.mark.parametrize("opening_db", [0.0, -37.0])
def test_a_loop_of_soft_onsets_keeps_them_however_quietly_it_opens(opening_db: float) -> None:
    # Swells every 20 frames over a held level, rising 4, 2, 1 and 0.5 dB frame over frame,
    # as an organ's chords do.
    # The first frame rises from the clip's floor (80 dB under its peak) whether the clip
    # opens mid-sound or on a quiet swell, 37 dB under the rest, as a hymn did that read one
    # onset and no tempo: either way that opening may not outweigh the swells.
    frames = 200
    level = torch.full((1, 128, frames), -20.0)
    swells = range(10, frames, 20)
    for start in swells:
        level[:, :, start : start + 4] += torch.tensor([4.0, 6.0, 7.0, 7.5])
    level[:, :, 0] = -20.0 + opening_db
    mask = torch.ones(1, frames, dtype=torch.bool)
    envelope = rhythm.onset_envelope(level, mask)
    assert envelope[0, :3].max() <= envelope[0, 3:].max()
    assert int(rhythm.pick_onsets(envelope, mask).sum()) >= len(swells)


@pytest.mark.parametrize("bpm", [72.0, 96.0, 126.0])
def test_legato_chords_a_beat_apart_take_their_tempo_from_the_chords(bpm: float) -> None:
    # Chords that swell in, with no attack, count one onset, so the onsets time nothing; the
    # chords changing every beat do.
    # Four whole bars, as regular as a loop: a loop, snapped to its bars.
    (features,) = extract_batch([(swelling_chords(bpm, 4), SR)])
    assert features.tempo_bpm == pytest.approx(bpm, rel=1e-3)
    assert features.is_loop
    assert 0.3 <= features.tempo_confidence < 1.0


def test_a_drum_loop_is_more_percussive_than_a_pad() -> None:
    drums, pad = extract_batch([(drum_loop(100.0, 2), SR), (sine_pad(4.0), SR)])
    assert drums.harmonic_percussive_ratio < pad.harmonic_percussive_ratio


def _stats(first: float, drum: float, *, drums_only: bool) -> dict[str, object]:
    cues = [[0.0] * len(octave.FEATURE_NAMES) for _ in octave.FACTORS]
    return {
        "tempo_confidence": 0.6,
        "onsets": 24,
        "analysed_s": 8.0,
        "first_bpm": first,
        "drum_bpm": drum,
        "drums_only": 1.0 if drums_only else 0.0,
        "clarity": 0.0,  # unpitched: the backbeat rule applies where drums_only says
        "octave_cues": cues,
    }


def test_no_tempo_below_40_even_when_the_octave_rules_halve_a_slow_reading() -> None:
    bpm, _, _ = decide_tempo(_stats(70.0, 35.0, drums_only=True), 10.3)
    assert bpm is not None and bpm >= 40.0
    # A band octave model that always prefers half: the answer still stays at or above 40.
    halving = octave.OctaveModel(
        mean=(0.0,) * len(octave.FEATURE_NAMES),
        scale=(1.0,) * len(octave.FEATURE_NAMES),
        coef=(0.0,) * len(octave.FEATURE_NAMES),
    )
    stats = _stats(50.0, 50.0, drums_only=False)
    width = len(octave.FEATURE_NAMES)
    stats["octave_cues"] = [[0.0] * width for _ in octave.FACTORS]
    stats["octave_cues"][octave.FACTORS.index(0.5)][0] = 1.0
    pushy = octave.OctaveModel(halving.mean, halving.scale, (5.0,) + (0.0,) * (width - 1))
    # Its score prefers half (25 BPM) by far, but no candidate under 40 is ever chosen.
    assert octave.choose(50.0, stats["octave_cues"], pushy)[0] == 50.0
    bpm, _, _ = decide_tempo(stats, 10.3, pushy, unpitched_model=pushy)
    assert bpm == 50.0


def test_a_clip_under_the_key_floor_takes_the_octave_fitted_without_chords() -> None:
    # A drum loop whose rides read as harmonic takes the band octave, but it has no chords:
    # the model fitted without the chord cues reads it, the pitched one reads band mixes.
    width = len(octave.FEATURE_NAMES)
    stats = _stats(120.0, 120.0, drums_only=False)
    # The double candidate scores on the "prior" cue, the estimate on "is_estimate".
    prior, is_estimate = (octave.FEATURE_NAMES.index(n) for n in ("prior", "is_estimate"))
    cues = [[0.0] * width for _ in octave.FACTORS]
    cues[octave.FACTORS.index(2.0)][prior] = 1.0
    cues[octave.FACTORS.index(1.0)][is_estimate] = 1.0
    stats["octave_cues"] = cues
    flat = (0.0,) * width, (1.0,) * width
    doubling = octave.OctaveModel(*flat, tuple(5.0 * (i == prior) for i in range(width)))
    staying = octave.OctaveModel(*flat, tuple(5.0 * (i == is_estimate) for i in range(width)))
    assert decide_tempo(stats, 8.0, doubling, 0.3, staying)[0] == pytest.approx(120.0)
    stats["clarity"] = 0.5
    assert decide_tempo(stats, 8.0, doubling, 0.3, staying)[0] == pytest.approx(240.0)


def test_a_loop_whose_crackle_hides_its_onsets_still_gets_its_tempo() -> None:
    # Vinyl clicks set the level raw onsets are judged against (one onset found); counted with
    # the clicks cut down, the loop has its onsets, and its clear periodicity gives a tempo.
    stats = _stats(139.3, 139.3, drums_only=False)
    stats["onsets"], stats["tempo_onsets"] = 1, 30
    bpm, confidence, is_loop = decide_tempo(stats, 11.2)
    assert bpm is not None and bpm >= 40.0
    assert confidence > 0.0 and is_loop
    # Without onsets either way there is still no tempo.
    stats["tempo_onsets"] = 1
    assert decide_tempo(stats, 11.2) == (None, 0.0, False)


def test_chords_give_a_clip_without_onsets_a_tempo_only_where_they_change_regularly() -> None:
    stats = _stats(96.0, 96.0, drums_only=False)
    stats |= {"onsets": 1, "tempo_onsets": 1, "clarity": 0.6}
    stats |= {"chord_bpm": 31.0, "chord_confidence": 0.45}
    # Chords a bar apart read at a quarter; never below 40 BPM. Regular enough for a loop.
    assert decide_tempo(stats, 8.0) == (pytest.approx(62.0), pytest.approx(0.45), True)
    # A loop of whole bars snaps to them: two bars of 4/4 in 8 s are 60 BPM.
    assert decide_tempo(stats | {"chord_bpm": 59.0}, 8.0)[0] == pytest.approx(60.0)
    # Regular, but less than a loop's onsets would be: a tempo, as it reads, and no loop.
    assert decide_tempo(stats | {"chord_confidence": 0.25}, 8.0) == (
        pytest.approx(62.0),
        pytest.approx(0.25),
        False,
    )
    # A held chord or a note changes nothing regularly; a drum loop has no chords; a short
    # clip holds too few changes to tell.
    for changed in ({"chord_confidence": 0.1}, {"clarity": 0.1}, {"analysed_s": 2.0}):
        assert decide_tempo(stats | changed, 8.0) == (None, 0.0, False)


def test_a_loop_of_whole_3_4_bars_snaps_to_its_exact_tempo_and_keeps_its_octave() -> None:
    # Four bars of 3/4 at 120 BPM last 6 s; 4/4 would need three bars, which loops never are.
    bpm, confidence, is_loop = decide_tempo(_stats(121.5, 121.5, drums_only=True), 6.0)
    assert is_loop and bpm == pytest.approx(120.0) and 0.0 < confidence <= 1.0
    # The snap never moves the octave, and adds no confidence: a half-tempo reading stays at
    # half tempo, exactly as sure of itself as it was before the snap.
    snapped, sure, _ = decide_tempo(_stats(61.7, 61.7, drums_only=True), 6.0)
    unsnapped, as_sure, _ = decide_tempo(_stats(61.7, 61.7, drums_only=True), 6.37)
    assert snapped == pytest.approx(60.0) and unsnapped == pytest.approx(61.7)
    assert sure == as_sure


def _surrounded(loop: np.ndarray, lead_s: float, tail_s: float) -> np.ndarray:
    lead, tail = np.zeros((round(lead_s * SR), 1)), np.zeros((round(tail_s * SR), 1))
    return np.concatenate([lead, loop, tail]).astype(np.float32)


@pytest.mark.parametrize("lead_s", [0.15, 0.25, 0.6])
def test_a_lead_in_before_a_loop_leaves_its_exact_tempo(lead_s: float) -> None:
    # A recording's lead-in puts an 8 s loop's length 2-7 % off its bars: with 0.15 s the
    # snap took the whole clip's 117.8 for 120 BPM, and longer ones, beyond its reach, left
    # the reading, 120.15. Its bars run from its first sound.
    loop = drum_loop(120.0, 4, variant=1)
    alone, after_silence = extract_batch([(loop, SR), (_surrounded(loop, lead_s, 0.0), SR)])
    assert after_silence.is_loop and after_silence.tempo_bpm == pytest.approx(120.0, rel=1e-3)
    assert after_silence.tempo_bpm == pytest.approx(alone.tempo_bpm, rel=1e-3)
    assert after_silence.duration_s == pytest.approx(8.0 + lead_s, abs=1e-3)


@pytest.mark.parametrize(("lead_s", "tail_s"), [(0.0, 0.5), (0.3, 0.7)])
def test_silence_after_a_loop_never_snaps_it_off_its_tempo(lead_s: float, tail_s: float) -> None:
    # Where a loop ends inside the silence after its last sound, the clip cannot say: its own
    # last beat may be a rest (this one's last 0.15 s are). The reading stands: the whole
    # clip's bars are 6 and 11 % off, and bars ending on the last sound would be 2 % off.
    loop = drum_loop(120.0, 4, variant=1)
    (features,) = extract_batch([(_surrounded(loop, lead_s, tail_s), SR)])
    assert features.is_loop and features.tempo_bpm == pytest.approx(120.0, rel=0.005)


def test_a_rest_that_ends_a_loop_is_part_of_its_bars() -> None:
    # Its last beat cut to silence, as a loop that ends on a rest: the loop still lasts its
    # four bars, and the whole clip, not what sounds, is its length.
    loop = drum_loop(120.0, 4, variant=1)
    loop[-round(0.5 * SR) :] = 0.0
    (features,) = extract_batch([(loop, SR)])
    assert features.is_loop and features.tempo_bpm == pytest.approx(120.0, rel=0.001)


def test_silence_around_a_loop_moves_its_bars_only_as_far_as_the_reading_says() -> None:
    stats = _stats(123.5, 123.5, drums_only=True) | {"lead_s": 0.25, "sounding_s": 7.75}
    # A quarter of a second before the loop: its 7.75 s from the first sound are four bars at
    # 123.9; the whole clip's 120 is 2.8 % from the reading, inside the snap's reach, and loses.
    assert decide_tempo(stats, 8.0)[0] == pytest.approx(16 * 60.0 / 7.75)
    # Read at 120.4, the whole clip's bars are nearer: the loop opened on a rest.
    assert decide_tempo(stats | {"first_bpm": 120.4, "drum_bpm": 120.4}, 8.0)[0] == (
        pytest.approx(120.0)
    )
    # Half a second after the last sound, beyond the whole clip's reach from a reading of 121
    # (its four bars are 116.4): four bars ending anywhere in that silence read 116.4 to
    # 123.9, so 121 stands, and 125, whose bars would end before the last sound, takes the
    # bars that end on it.
    tail = _stats(121.0, 121.0, drums_only=True) | {"lead_s": 0.0, "sounding_s": 7.75}
    assert decide_tempo(tail, 8.25)[0] == pytest.approx(121.0)
    late = tail | {"first_bpm": 125.0, "drum_bpm": 125.0}
    assert decide_tempo(late, 8.25)[0] == pytest.approx(16 * 60.0 / 7.75)
    # A fifth of a second after the last sound: the whole clip's four bars (117.1) are 2.6 %
    # from a reading of 120.15, inside the snap's reach but not the reading's precision, so
    # where silence may have been added they lose to the bars that end on the last sound.
    added = _stats(120.15, 120.15, drums_only=True) | {"lead_s": 0.0, "sounding_s": 8.0}
    assert decide_tempo(added, 8.2)[0] == pytest.approx(120.0)
    # Under 1.5 % of the clip, silence is the loop's own (an attack rising from zero, a short
    # rest): the whole clip's bars, as before.
    short = _stats(121.0, 121.0, drums_only=True) | {"lead_s": 0.1, "sounding_s": 7.85}
    assert decide_tempo(short, 8.0)[0] == pytest.approx(120.0)


def test_a_two_step_read_at_half_moves_up_though_its_ghost_notes_fit_no_triplet() -> None:
    # A drum'n'bass two-step (snare on 2 and 4, ghost snares between) whose first estimate is
    # half its tempo: the snare then lands on every off-beat, a backbeat at double the reading.
    # Its ghost notes leave the envelope's repeat after a third and after half of that beat
    # both below zero; a third "less negative" than the half is no triplet feel, and must not
    # block the move as a shuffle's would.
    frame_rate = 22050 / 512
    bpm = 60.0 * frame_rate / 24.0  # 24 frames a beat: a bar is 96
    bars = 8
    frames = bars * 96
    backbeat = torch.zeros(1, frames)
    for bar in range(bars):
        for step, gain in ((24, 1.0), (72, 1.0), (42, 0.3), (54, 0.3), (90, 0.3)):
            backbeat[0, bar * 96 + step] = gain
    envelope_acf = torch.full((1, frames), -0.1)
    envelope_acf[0, 15:18] = -0.06  # a third of the halved reading's 48-frame beat
    duration = torch.tensor([frames / frame_rate])
    onsets = torch.tensor([3.0 * bpm / 2.0 / 60.0])  # three a beat of the halved reading
    n_frames = torch.tensor([frames])
    settled = rhythm.settle_octave(
        torch.tensor([bpm / 2.0]), onsets, backbeat, torch.tensor([True]), n_frames,
        frame_rate, duration, envelope_acf, onsets,
    )  # fmt: skip
    assert float(settled[0]) == pytest.approx(bpm)
