"""Onset envelope, onset picking and tempo estimation on padded batches (torch)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch

# Fixed transform sizes keep a clip's result independent of what else shares its batch.
_TEMPO_FFT = 1 << 15
_ACF_FFT = 1 << 14
_MIN_BPM = 30.0
_MAX_BPM = 300.0
_GRID_STEP = 1.001  # 0.1 % between candidate tempi
# (multiple of the beat rate, weight) for the Fourier score and (beats, weight) for the
# autocorrelation score.
_FOURIER_HARMONICS = ((1.0, 1.0), (2.0, 0.5), (3.0, 1.0 / 3.0), (4.0, 0.25))
_ACF_MULTIPLES = ((1.0, 1.0), (2.0, 1.0), (4.0, 1.0))
_PRIOR_CENTRE_BPM = 100.0
_PRIOR_OCTAVES = 1.0
# Mel bands (of 128 up to 11 kHz) covering ~1-4 kHz, and how clear a backbeat must be.
BACKBEAT_BANDS = (40, 88)
# A drum loop's tempo may move to these multiples of the estimate; the third only where the
# estimate's beats group in threes (grouped_in_three: triplet hats of a slow 12/8 read as beats).
_OCTAVE_FACTORS = (1.0 / 3.0, 0.5, 1.0, 2.0)
_THIRD = _OCTAVE_FACTORS.index(1.0 / 3.0)
_HALF = _OCTAVE_FACTORS.index(0.5)
# How much stronger (a share of the envelope spectrum's peak) the pulse at a third of the
# estimate must be than at half of it for its beats to count as grouped in threes, for drum
# loops here and band mixes in octave.candidate_allowed: on the corpus most 6/8 and waltz mixes
# read 0.1-0.27, and no 4/4 mix whose half is right reads over 0.07.
MIN_TRIPLE_GROUPING = 0.1
_BACKBEAT_MIN_CONTRAST = 0.3
# How much clearer the backbeat of the octave moved to must be than the reading's own. A reading
# with a backbeat of its own (a two-beat's or a rhumba's lopsided snare reads 0.2-0.4) is the
# periodicity's pick and usually right: of the drum loops of corpus v2, v4 and the tempo checks
# (289), every right move gains 0.34 or more and the moves that broke a right reading (a
# Charleston, a 50s rock and a rhumba track) 0.20-0.25, half-time grooves aside (0.9 and more:
# their half is as much a backbeat as a hip-hop beat's, and the hats alone tell them apart).
_BACKBEAT_MIN_GAIN = 0.3
_BACKBEAT_MIN_PULSE = 0.75  # onsets per beat
# More onsets than this per beat is a subdivision read as the beat (16th hats of a half-time
# groove heard at half speed): such a reading is doubled, and no move goes there.
_MAX_PULSE = 4.5
# How well the onset envelope must repeat after a third of a beat (and better than after half
# of it) for the beat to count as three tatums: a positive correlation, where a straight beat's
# third reads around zero or below (a two-step's ghost notes leave both lags negative).
MIN_TRIPLET_REPEAT = 0.1
# A loop lasts this many bars, within this share of its length.
LOOP_BARS = (1.0, 2.0, 4.0, 8.0, 16.0)
LOOP_TOLERANCE = 0.02
# A drum loop's octave only moves up to a tempo at most this fast, and down to half its
# reading only where that is at least this slow: a snare once a bar reads as a backbeat at half
# the tempo, and below this that half is a rock or ballad groove's bar, not a slow hip-hop beat
# (the General MIDI drum tracks of 69 MMA grooves: right halves land at 62 BPM and up, the three
# wrong ones at 50-57; a reggae one-drop halved to 42). Slow 12/8 loops read at their triplets
# move by a third, unbounded.
_MAX_MOVED_UP_BPM = 200.0
_MIN_HALVED_BPM = 60.0
# A backbeat heard at twice the reading needs at least an onset on each of its beats: a jazz
# ride or brush pattern (1.5 onsets a beat) doubled reads a "backbeat" at 0.75 a beat, while
# every double-time groove of the corpora (drum'n'bass, breakbeat, trap) reads 1.2 or more.
_MIN_PULSE_MOVED_UP = 1.0
_PEAK_HALF_WIDTH = 3  # frames (about 70 ms): the closest two onsets may be
_THRESHOLD_HALF_WIDTH = 10
_PEAK_DELTA = 0.07
# Frames at a clip's start whose onset may be the cut itself.
_START_FRAMES = 3
# Below this mean rise (dB across mel bands) the rest of a clip holds no onset worth the name:
# the fluctuation of noise, or a one-shot's decay.
_MIN_ONSET_PEAK_DB = 2.5
# A few clicks (vinyl crackle) must not set the level onsets are judged against.
_ROBUST_RANK = 0.02
_ROBUST_MIN_SHARE = 0.25
# Below this share of the strongest onset, a peak is the shimmer of a held sound, not a hit.
_PEAK_FLOOR = 0.15
# Hats and shakers subdivide the beat that kicks and snares carry: with 128 mel bands to
# 11 kHz, bands from 72 (~2.5 kHz) up count a tenth, so the envelope follows the beat.
_BRIGHT_BAND_START = 72
_BRIGHT_WEIGHT = 0.1


def onset_envelope(
    log_mel_db: torch.Tensor, mask: torch.Tensor, *, for_tempo: bool = False
) -> torch.Tensor:
    """(B, T) spectral flux: mean rise in dB across mel bands, frame over frame."""
    # The clip's own floor (power_to_db floors 80 dB under its peak), whatever pads the batch.
    floor = log_mel_db.amax(dim=(1, 2), keepdim=True) - 80.0
    # The frame before the first is silence, so a sound that starts at t=0 has an onset.
    previous = torch.cat([floor.expand(-1, log_mel_db.shape[1], 1), log_mel_db[:, :, :-1]], dim=2)
    weights = torch.ones(log_mel_db.shape[1], device=log_mel_db.device)
    if for_tempo:
        weights[_BRIGHT_BAND_START:] = _BRIGHT_WEIGHT
    rise = (log_mel_db - previous).clamp(min=0.0)
    flux = torch.einsum("bmt,m->bt", rise, weights / weights.sum()) * mask
    # A clip's first frames rise from the floor, 80 dB under its peak, where every later
    # onset rises from the sound before it: an opening onset that would dwarf every real one.
    # That holds for a clip cut mid-sound and for one that opens on a quiet swell (an organ
    # hymn whose first frame sat 37 dB under its typical one read one onset and no tempo).
    # So it is capped at the clip's later peak, where there is one; a one-shot's decay or
    # noise has none and keeps its first onset. Padded so a clip of few frames reads the
    # same alone as in a longer batch.
    later = torch.nn.functional.pad(flux[:, _START_FRAMES:], (0, 1)).amax(-1, keepdim=True)
    cap = later >= _MIN_ONSET_PEAK_DB
    head = flux[:, :_START_FRAMES]
    head = torch.where(cap, torch.minimum(head, later), head)
    return torch.cat([head, flux[:, _START_FRAMES:]], dim=1)


def robust_peak(envelope: torch.Tensor, n_frames: torch.Tensor) -> torch.Tensor:
    """(B, 1) a clip's onset peak that a few clicks cannot set: the value _ROBUST_RANK of the
    way down its sorted frames, but never under _ROBUST_MIN_SHARE of the largest."""
    ordered = envelope.sort(dim=-1, descending=True).values
    rank = (n_frames.to(envelope.dtype) * _ROBUST_RANK).long().clamp(0, envelope.shape[1] - 1)
    ranked = ordered.gather(1, rank[:, None])
    return torch.maximum(ranked, _ROBUST_MIN_SHARE * ordered[:, :1])


def clip_clicks(envelope: torch.Tensor, n_frames: torch.Tensor) -> torch.Tensor:
    """The envelope with spikes above its robust peak cut down to it (vinyl crackle, clicks)."""
    return torch.minimum(envelope, robust_peak(envelope, n_frames))


def count_onsets_under_clicks(
    envelope: torch.Tensor, mask: torch.Tensor, n_frames: torch.Tensor
) -> torch.Tensor:
    """(B,) onsets of the envelope with its clicks cut down (clip_clicks), each rising at least
    _MIN_ONSET_PEAK_DB: vinyl crackle no longer sets the level, and the fluctuation of a held
    sound, which cutting its one attack would expose, still does not count."""
    clipped = clip_clicks(envelope, n_frames)
    return (pick_onsets(clipped, mask) & (clipped >= _MIN_ONSET_PEAK_DB)).sum(-1)


def pick_onsets(envelope: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B, T) bool: frames that are local peaks of the envelope above an adaptive threshold."""
    peak = envelope.amax(-1, keepdim=True)
    norm = envelope / peak.clamp(min=1e-9)
    x = norm[:, None, :]
    local_max = torch.nn.functional.max_pool1d(
        x, 2 * _PEAK_HALF_WIDTH + 1, 1, padding=_PEAK_HALF_WIDTH
    )[:, 0, :]
    local_mean = torch.nn.functional.avg_pool1d(
        x,
        2 * _THRESHOLD_HALF_WIDTH + 1,
        1,
        padding=_THRESHOLD_HALF_WIDTH,
        count_include_pad=False,
    )[:, 0, :]
    previous = torch.cat([torch.zeros_like(norm[:, :1]), norm[:, :-1]], dim=1)
    return (
        mask
        & (peak > 1e-6)
        & (norm >= local_max)
        & (norm > previous)  # a flat-topped peak counts once
        & (norm >= local_mean + _PEAK_DELTA)
        & (norm >= _PEAK_FLOOR)
    )


@functools.lru_cache(maxsize=4)
def _bpm_grid(device: torch.device) -> torch.Tensor:
    count = int(math.log(_MAX_BPM / _MIN_BPM) / math.log(_GRID_STEP)) + 1
    return _MIN_BPM * _GRID_STEP ** torch.arange(count, dtype=torch.float32, device=device)


def interpolate(values: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Linear interpolation of (B, N) rows at fractional (B, G) or (G,) positions."""
    positions = positions.expand(values.shape[0], -1)
    low = positions.floor().clamp(0, values.shape[1] - 2)
    frac = (positions - low).clamp(0.0, 1.0)
    low_i = low.long()
    left = values.gather(1, low_i)
    right = values.gather(1, low_i + 1)
    return left + (right - left) * frac


@dataclass(frozen=True, slots=True)
class Periodicity:
    """How an onset envelope repeats, read by the tempo estimate and the octave choice alike."""

    spectrum: torch.Tensor  # (B, _TEMPO_FFT // 2 + 1) magnitude of the Hann-windowed envelope
    acf: torch.Tensor  # (B, L) normalised autocorrelation (normalised_acf)
    bins_per_bpm: float  # spectrum bins per BPM of beat rate


def envelope_periodicity(
    envelope: torch.Tensor, n_frames: torch.Tensor, frame_rate: float
) -> Periodicity:
    """The spectrum and autocorrelation of each clip's (B, T) onset envelope."""
    positions = torch.arange(envelope.shape[1], device=envelope.device)
    inside = positions[None, :] < n_frames[:, None]
    count = n_frames.clamp(min=2).to(envelope.dtype)
    mean = (envelope * inside).sum(-1, keepdim=True) / count[:, None]
    centred = (envelope - mean) * inside
    phase = 2.0 * math.pi * positions[None, :] / (n_frames[:, None] - 1).clamp(min=1)
    hann = (0.5 - 0.5 * torch.cos(phase)) * inside
    return Periodicity(
        spectrum=torch.fft.rfft(centred * hann, n=_TEMPO_FFT).abs(),
        acf=normalised_acf(envelope, n_frames),
        bins_per_bpm=_TEMPO_FFT / frame_rate / 60.0,
    )


def estimate_tempo(
    periodicity_of: Periodicity, n_frames: torch.Tensor, frame_rate: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Tempo (BPM) and periodicity (0..1) per clip from its onset envelope's periodicity."""
    spectrum, unbiased = periodicity_of.spectrum, periodicity_of.acf
    device = spectrum.device
    grid = _bpm_grid(device)

    # Fourier side: a tempo scores by the envelope's energy at its beat rate and harmonics;
    # that rejects half-time (its odd harmonics are empty). The autocorrelation side asks the
    # envelope to repeat after 1, 2 and 4 beats, which rejects double-time; the log-normal
    # prior settles what both leave open.
    bins_per_bpm = periodicity_of.bins_per_bpm
    fourier = torch.zeros(spectrum.shape[0], grid.shape[0], device=device)
    for harmonic, weight in _FOURIER_HARMONICS:
        fourier += weight * interpolate(spectrum, (grid * harmonic * bins_per_bpm)[None, :])

    beat_lags = (60.0 * frame_rate / grid)[None, :]
    periodicity = torch.zeros_like(fourier)
    trusted_weight = torch.zeros_like(fourier)
    for beats, weight in _ACF_MULTIPLES:
        lags_k = beat_lags * beats
        # Lags longer than half the clip have too little overlap to trust.
        trusted = (lags_k <= n_frames[:, None] / 2.0).to(fourier.dtype)
        periodicity += weight * interpolate(unbiased, lags_k).clamp(0.0, 1.0) * trusted
        trusted_weight += weight * trusted
    periodicity = periodicity / trusted_weight.clamp(min=1e-9)
    prior = torch.exp(-0.5 * (torch.log2(grid / _PRIOR_CENTRE_BPM) / _PRIOR_OCTAVES).square())
    score = fourier * periodicity * prior[None, :]
    best = score.argmax(-1)
    bpm = _refine(score, best)
    confidence = periodicity.gather(1, best[:, None])[:, 0]
    return bpm, confidence


def normalised_acf(envelope: torch.Tensor, n_frames: torch.Tensor) -> torch.Tensor:
    """Unbiased autocorrelation of the mean-removed (B, T) envelope, 1 at lag 0.

    A perfectly periodic envelope reads 1 at its period however few periods the clip holds.
    """
    positions = torch.arange(envelope.shape[1], device=envelope.device)
    inside = positions[None, :] < n_frames[:, None]
    count = n_frames.clamp(min=2).to(envelope.dtype)
    mean = (envelope * inside).sum(-1, keepdim=True) / count[:, None]
    centred = (envelope - mean) * inside
    # A linear (not circular) autocorrelation only needs a transform of twice the envelope:
    # the lags past it are zero, as a _ACF_FFT transform would give them.
    n_fft = min(_ACF_FFT, 1 << max(1, 2 * envelope.shape[1] - 1).bit_length())
    power = torch.fft.rfft(centred, n=n_fft).abs().square()
    acf: torch.Tensor = torch.fft.irfft(power, n=n_fft)[:, : n_fft // 2]
    acf = torch.nn.functional.pad(acf, (0, _ACF_FFT // 2 - acf.shape[1]))
    lags = torch.arange(acf.shape[1], device=envelope.device)
    overlap = (n_frames[:, None] - lags[None, :]).clamp(min=1).to(acf.dtype)
    return acf / overlap / (acf[:, :1] / count[:, None]).clamp(min=1e-12)


def backbeat_envelope(mel_power: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B, T) rise in linear power over ~1-4 kHz, where snares and claps are loudest."""
    band = mel_power[:, BACKBEAT_BANDS[0] : BACKBEAT_BANDS[1], :].sum(1)
    previous = torch.cat([torch.zeros_like(band[:, :1]), band[:, :-1]], dim=1)
    return (band - previous).clamp(min=0.0) * mask


def bright_onsets(log_mel_db: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B,) onsets of the bands from ~2.5 kHz up alone: hats and shakers, which the full-band
    envelope passes over when they play quietly under the kick and snare."""
    envelope = onset_envelope(log_mel_db[:, _BRIGHT_BAND_START:], mask)
    return pick_onsets(envelope, mask).sum(-1)


def settle_octave(
    bpm: torch.Tensor,
    onsets_per_s: torch.Tensor,
    backbeat: torch.Tensor,
    drums_only: torch.Tensor,
    n_frames: torch.Tensor,
    frame_rate: float,
    duration_s: torch.Tensor,
    envelope_acf: torch.Tensor,
    bright_onsets_per_s: torch.Tensor | None = None,
    in_threes: torch.Tensor | None = None,
) -> torch.Tensor:
    """Move a drum loop's tempo an octave where its snare's period says it is at the wrong level
    (or to a third of it where in_threes says its beats group in threes): a backbeat at half
    or double the reading, or a snare only every eight beats of it (no bar is that long)."""
    # Pop, rock, funk, hip-hop and house put the snare or clap on beats 2 and 4: the backbeat
    # envelope then repeats after two beats but not after one. Where that contrast is clear
    # at half or double the tempo and not at the tempo itself, the octave was wrong. There must
    # also be about an onset per beat, or evenly spaced clicks would read as a double-time
    # backbeat. In a band mix, guitars and keys fill the same band and hide the snare, so the
    # rule only applies where the drums_only mask says percussion dominates. A half-time groove
    # (snare on 3) reads like a backbeat at half its tempo; its hats then run faster than
    # _MAX_PULSE onsets a beat, which no reading keeps.
    # Smoothing first keeps a beat period that is not a whole number of frames from
    # smearing single-frame spikes out of the autocorrelation at some lags and not others.
    acf = normalised_acf(smooth(backbeat), n_frames)
    factors = torch.tensor(_OCTAVE_FACTORS, device=bpm.device)
    candidates = bpm[:, None] * factors[None, :]
    beat = 60.0 * frame_rate / candidates
    one = interpolate(acf, beat).clamp(-1.0, 1.0)
    two = interpolate(acf, 2.0 * beat).clamp(-1.0, 1.0)
    trusted = (2.0 * beat <= n_frames[:, None] / 2.0) & (candidates >= _MIN_BPM)
    trusted = trusted & (candidates <= _MAX_BPM)
    trusted = trusted & (onsets_per_s[:, None] >= _BACKBEAT_MIN_PULSE * candidates / 60.0)
    trusted = trusted & (onsets_per_s[:, None] <= _MAX_PULSE * candidates / 60.0)
    if bright_onsets_per_s is not None:
        # Quiet sixteenth hats of a half-time groove escape the full-band count; counted on
        # their own they still run too fast for half its tempo. This only ever blocks a move.
        trusted = trusted & (bright_onsets_per_s[:, None] <= _MAX_PULSE * candidates / 60.0)
    trusted = trusted & ((factors[None, :] <= 1.0) | (candidates <= _MAX_MOVED_UP_BPM))
    dense_enough = onsets_per_s[:, None] >= _MIN_PULSE_MOVED_UP * candidates / 60.0
    trusted = trusted & ((factors[None, :] <= 1.0) | dense_enough)
    # Three beats make one only where they group in threes (a slow 12/8's triplets read as
    # its beats, whose backbeat then sits at a third of the estimate), or where the loop's
    # length says so: whole 3/4 bars at the estimate that are whole 4/4 bars at its third.
    in_threes = in_threes if in_threes is not None else torch.zeros_like(drums_only)
    twelve_eight = whole_bars(bpm, duration_s, 3.0) & whole_bars(bpm / 3.0, duration_s, 4.0)
    third_allowed = in_threes | twelve_eight
    trusted[:, _THIRD] = trusted[:, _THIRD] & third_allowed
    contrast = torch.where(trusted, two - one, torch.full_like(one, -2.0))
    best = contrast.argmax(-1)
    current = contrast[:, _OCTAVE_FACTORS.index(1.0)]
    chosen = contrast.gather(1, best[:, None])[:, 0]
    move = (chosen >= _BACKBEAT_MIN_CONTRAST) & (chosen - current >= _BACKBEAT_MIN_GAIN)
    # A backbeat is a pattern of bars with an even number of beats. A loop that lasts a whole
    # number of 3/4 bars at the estimate (which no whole number of 4/4 bars ever matches) is a
    # waltz: its snares on beats 2 and 3 would read as a backbeat at double tempo.
    # (Three 3/4 bars of triplets are a 12/8 bar: that guard does not hold the third back.)
    waltz = whole_bars(bpm, duration_s, 3.0) & (best != _THIRD)
    move = move & drums_only & ~waltz
    # A half under _MIN_HALVED_BPM is a snare once a bar, not a slow backbeat: the reading stays
    # (the same snare would otherwise pass the move to the next best candidate).
    move = move & ~((best == _HALF) & (candidates[:, _HALF] < _MIN_HALVED_BPM))
    # A beat that splits in three (a shuffle's or a 12/8's triplets) has no double: twice the
    # tempo would put a beat every one and a half triplets.
    beat_now = 60.0 * frame_rate / bpm
    third = interpolate(envelope_acf, (beat_now / 3.0)[:, None])[:, 0]
    in_three = (third >= MIN_TRIPLET_REPEAT) & (
        third > interpolate(envelope_acf, (beat_now / 2.0)[:, None])[:, 0]
    )
    move = move & ~(in_three & (best == _OCTAVE_FACTORS.index(2.0)))
    settled = torch.where(move, candidates.gather(1, best[:, None])[:, 0], bpm)
    # A snare that repeats after eight beats of the reading but not after one, two or four
    # marks no bar there (no meter has bars of eight beats): a reggae one-drop (kick and snare
    # on beat 3 alone) under eighth hats, read at its hats. At half the reading it falls once
    # a bar of four, as a one-drop's does. The repeats after one and two beats of the reading
    # are `one` and `two` at the reading, after four `two` at the half; the half must be a
    # move the rule trusts (onsets neither too sparse nor too dense for it) and no slower than
    # _MIN_HALVED_BPM.
    now = _OCTAVE_FACTORS.index(1.0)
    eight = interpolate(acf, 8.0 * beat[:, now : now + 1])[:, 0].clamp(-1.0, 1.0)
    shorter = torch.stack((one[:, now], two[:, now], two[:, _HALF]), dim=-1).amax(-1)
    once_in_eight = (eight - shorter >= _BACKBEAT_MIN_CONTRAST) & (
        8.0 * beat[:, now] <= n_frames / 2.0
    )
    halve = once_in_eight & trusted[:, _HALF] & ~move & drums_only & ~waltz
    halve = halve & (candidates[:, _HALF] >= _MIN_HALVED_BPM)
    settled = torch.where(halve, candidates[:, _HALF], settled)
    too_dense = drums_only & (onsets_per_s > _MAX_PULSE * settled / 60.0)
    return torch.where(too_dense & (2.0 * settled <= _MAX_BPM), 2.0 * settled, settled)


def grouped_in_three(periodicity: Periodicity, bpm: torch.Tensor) -> torch.Tensor:
    """(B,) whether each estimate's beats group in threes: the envelope pulses more at a third
    of the estimate's rate than at half of it (by MIN_TRIPLE_GROUPING of its spectrum's peak),
    as the eighths of a 6/8, the triplets of a 12/8 and a waltz's beats do."""
    spectrum = periodicity.spectrum / periodicity.spectrum.amax(-1, keepdim=True).clamp(min=1e-12)
    rates = bpm[:, None] * torch.tensor([1.0 / 3.0, 0.5], device=bpm.device)
    energy = interpolate(spectrum, rates * periodicity.bins_per_bpm)
    return energy[:, 0] - energy[:, 1] >= MIN_TRIPLE_GROUPING


def whole_bars(bpm: torch.Tensor, duration_s: torch.Tensor, beats: float) -> torch.Tensor:
    """(B,) whether each clip lasts 1, 2, 4, 8 or 16 bars of `beats` beats at `bpm`."""
    bars = duration_s * bpm / (60.0 * beats)
    counts = torch.tensor(LOOP_BARS, device=bpm.device)
    return ((bars[:, None] / counts[None, :] - 1.0).abs() <= LOOP_TOLERANCE).any(-1)


def smooth(envelope: torch.Tensor) -> torch.Tensor:
    """A short triangular smoothing along time of a (B, T) envelope."""
    kernel = torch.tensor([1.0, 2.0, 3.0, 2.0, 1.0], device=envelope.device) / 9.0
    return torch.nn.functional.conv1d(envelope[:, None, :], kernel[None, None, :], padding=2)[
        :, 0, :
    ]


def _refine(score: torch.Tensor, best: torch.Tensor) -> torch.Tensor:
    # Parabolic interpolation of the score peak on the log-spaced grid.
    grid = _bpm_grid(score.device)
    last = score.shape[1] - 1
    centre = best.clamp(1, last - 1)
    left = score.gather(1, (centre - 1)[:, None])[:, 0]
    middle = score.gather(1, centre[:, None])[:, 0]
    right = score.gather(1, (centre + 1)[:, None])[:, 0]
    curvature = left - 2.0 * middle + right
    offset = torch.where(
        curvature < 0, 0.5 * (left - right) / curvature.clamp(max=-1e-12), torch.zeros_like(left)
    ).clamp(-0.5, 0.5)
    offset = torch.where(best == centre, offset, torch.zeros_like(offset))
    return grid[best] * _GRID_STEP**offset
