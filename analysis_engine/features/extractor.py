"""Batched feature extraction on CPU or CUDA: the worker's entry point (imports torch)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

# OpenMP threads that spin while they wait hold the cores the other threads need on a shared
# or CPU-limited machine (2 intra-op threads ran 4x slower than 1 on a loaded 2-core box);
# waiting asleep costs microseconds a region. Read once when torch loads, so it comes before
# the import; an explicit setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import numpy.typing as npt
import torch
import torchaudio.functional as AF

from analysis_engine.features import descriptor, keys, loudness, octave, rhythm, spectral
from analysis_engine.features.embedding import EmbeddingInputs, build_embedding
from analysis_engine.features.model import N_MFCC, AudioFeatures

Clip = tuple[npt.NDArray[Any], int]

ANALYSIS_RATE = 22050
# Tempo, key and timbre look at the first two minutes; duration and levels use everything.
MAX_ANALYSIS_S = 120.0
_N_FFT = 2048
_HOP = 512
_N_MELS = 128
_CHROMA_FFT = 8192
_CHROMA_HOP = 2048
_HPSS_TIME_KERNEL = 9  # frame pairs (~0.4 s)
_HPSS_FREQ_KERNEL = 17  # mel bands
_CHROMA_TIME_KERNEL = 9  # chroma frames (~0.8 s)
_CHROMA_FREQ_KERNEL = 15  # 1/3-semitone bins (5 semitones)
_CHORD_WINDOW = 8  # chroma frames (~0.74 s) each side of a chord change
# Chroma frames (~0.28 s) each side of a chord change, for the rate chords change at: short
# enough to tell chords a beat apart at 130 BPM.
_CHORD_STEP_WINDOW = 3
# Padded samples one sub-batch may hold: bounds memory however long the clips are. A GPU
# takes bigger sub-batches (2^26 samples at 22050 Hz is ~50 minutes of audio, a few GiB). A
# CPU gains nothing from width but the per-call overhead: short clips share a sub-batch, a
# loop goes alone, so its arrays stay in cache and a batch is never slower per clip than one.
_CPU_SAMPLE_BUDGET = 1 << 18
_GPU_SAMPLE_BUDGET = 1 << 26
# How much bigger than its clips a padded sub-batch may be. A CPU gains nothing from width, so
# it pads little; a GPU trades some padding for fewer, wider launches.
_CPU_PADDING_RATIO = 1.25
_GPU_PADDING_RATIO = 2.0
_MIN_TEMPO_S = 1.0
_MIN_TEMPO_ONSETS = 3
_MIN_TEMPO_CONFIDENCE = 0.1
_MIN_LOOP_ONSETS = 4
_MIN_LOOP_CONFIDENCE = 0.3
_LOOP_BARS = (1, 2, 4, 8, 16)
_LOOP_METERS = (4, 3)  # beats per bar
# The beats a loop may last: whole bars of either meter.
_LOOP_BEATS = tuple(bars * beats for beats in _LOOP_METERS for bars in _LOOP_BARS)
_LOOP_TOLERANCE = 0.03
# A clip's ends this far under its peak are silence: the analysis and the loop's length leave
# them out (_sounding_spans). Dither and an encoder's noise sit further down still.
_SILENCE_DB = -60.0
# Blocks whose level _sounding_spans compares with that floor (5 ms), and how long an attack
# may take to rise from a lead-in's level to it (or a sound to die into the silence after it).
_LEVEL_BLOCK_S = 0.005
_ATTACK_S = 0.02
# A lead-in shorter than this stays in the analysis: every band loop of the corpora opens
# 13 ms or less under that floor (an attack rising from zero). A drum loop may open on a
# rest (two of corpus v4's GM drum tracks, up to 0.19 s), a lead-in to the analysis, which
# reads the rhythm from the first sound as well; its bars may still span the whole clip.
_MIN_LEAD_S = 0.025
# How far a reading may sit from its loop's bars: every corpus loop cut at its bars (366 of
# corpora v2, v4, v5 and v6) reads within 1.64 % of them before the snap.
_READING_PRECISION = 0.02
# Silence shorter than this share of a clip stays part of the loop's length: the reading is
# not sure enough of its tempo to tell a lead-in or a silent tail that short from a loop
# that ends on a rest.
_SILENCE_SHARE = 0.015
# No tempo below this: a slower reading is the half-time of a real one.
_MIN_BPM = 40.0
# A clip without onsets to time takes the rate its chords change at where they change this
# regularly (periodicity of their novelty; one-shots and held pads of
# benchmarks/similar_corpus.py read at most 0.14) over at least this long.
_MIN_CHORD_CONFIDENCE = 0.2
_MIN_CHORD_TEMPO_S = 3.0
# Below this harmonic share at 1-4 kHz a clip counts as drums only for the backbeat check.
_DRUMS_ONLY_HARMONIC_SHARE = 0.5


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """The requested device, else CUDA when present, else the CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the batched (torch) pass measured of one clip, before any fitted decision."""

    samples: npt.NDArray[np.float32]
    rate: int
    level: tuple[float, float, float]
    stats: dict[str, Any]


# Named outside Models, whose `octave` field hides the module inside its body.
_OctaveModel = octave.OctaveModel
_UNPITCHED_OCTAVE = octave.UNPITCHED_MODEL


@dataclass(frozen=True, slots=True)
class Models:
    """The fitted decisions applied on the host: the tempo octave and the key."""

    octave: octave.OctaveModel = octave.DEFAULT_MODEL
    key: keys.KeyModel = keys.DEFAULT_MODEL
    # The octave of band-path clips under the key's floor (octave.UNPITCHED_MODEL).
    unpitched_octave: _OctaveModel = _UNPITCHED_OCTAVE


def extract_batch(
    clips: Sequence[Clip], *, device: str | torch.device | None = None
) -> list[AudioFeatures]:
    """Analyse (samples frames x channels, sample_rate) clips together; one result per clip."""
    return [decide(evidence) for evidence in extract_evidence(clips, device=device)]


def extract_evidence(
    clips: Sequence[Clip], *, device: str | torch.device | None = None
) -> list[Evidence]:
    """The batched measurements of each clip (what `decide` turns into features)."""
    target = pick_device(device)
    frames = [_as_frames(samples, rate, index) for index, (samples, rate) in enumerate(clips)]
    rates = [int(rate) for _, rate in clips]
    # cuDNN may run convolutions (the resampler) in TF32 on a GPU; keep float32 so CPU and
    # GPU agree to float32 precision.
    cudnn = torch.backends.cudnn
    no_tf32 = cudnn.flags(
        enabled=cudnn.enabled,
        benchmark=cudnn.benchmark,
        deterministic=cudnn.deterministic,
        allow_tf32=False,
    )
    with torch.inference_mode(), no_tf32:
        levels, signals, spans = _upload(frames, rates, target)
        analysed = _analyse(signals, target)
    for stats, (lead_s, sounding_s) in zip(analysed, spans, strict=True):
        stats |= {"lead_s": lead_s, "sounding_s": sounding_s}
    return [
        Evidence(samples, rate, level, stats)
        for samples, rate, level, stats in zip(frames, rates, levels, analysed, strict=True)
    ]


def _as_frames(samples: npt.NDArray[Any], rate: int, index: int) -> npt.NDArray[np.float32]:
    array = np.asarray(samples, dtype=np.float32)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"clip {index}: expected a non-empty (frames, channels) array")
    if int(rate) <= 0:
        raise ValueError(f"clip {index}: sample rate must be positive, got {rate}")
    # min and max propagate NaN and expose infinities, far faster than an elementwise test.
    if not (np.isfinite(array.min()) and np.isfinite(array.max())):
        raise ValueError(f"clip {index}: samples must be finite")
    return array


def _chunks(order: list[int], sizes: Sequence[int], device: torch.device) -> Iterator[list[int]]:
    # Walk clips shortest first and cut whenever the padded batch would pass the budget, or
    # would be mostly padding: a hit batched with a long loop would pay for the loop's length.
    cpu = device.type == "cpu"
    budget = _CPU_SAMPLE_BUDGET if cpu else _GPU_SAMPLE_BUDGET
    waste = _CPU_PADDING_RATIO if cpu else _GPU_PADDING_RATIO
    chunk: list[int] = []
    total = 0
    for index in sorted(order, key=lambda i: sizes[i]):
        padded = sizes[index] * (len(chunk) + 1)
        if chunk and (padded > budget or padded > waste * (total + sizes[index])):
            yield chunk
            chunk, total = [], 0
        chunk.append(index)
        total += sizes[index]
    if chunk:
        yield chunk


def _by_rate(rates: Sequence[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for index, rate in enumerate(rates):
        groups.setdefault(rate, []).append(index)
    return groups


def _upload(
    frames: Sequence[npt.NDArray[np.float32]], rates: Sequence[int], device: torch.device
) -> tuple[list[tuple[float, float, float]], list[torch.Tensor], list[tuple[float, float]]]:
    """Levels of each whole clip, its mono analysis signal at ANALYSIS_RATE on `device` from
    its first sound on, and the seconds of silence before that sound and from it to the last
    (`_sounding_spans`).

    Each clip crosses to the device once: levels, the mono mix-down (the first
    MAX_ANALYSIS_S seconds) and the resampling all work on the same padded batch.
    """
    levels: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(frames)
    signals: list[torch.Tensor] = [torch.empty(0)] * len(frames)
    spans = [(0.0, 0.0)] * len(frames)
    sizes = [f.shape[0] * f.shape[1] for f in frames]
    for rate, members in _by_rate(rates).items():
        for chunk in _chunks(members, sizes, device):
            n_max = max(frames[i].shape[0] for i in chunk)
            c_max = max(frames[i].shape[1] for i in chunk)
            # Clips keep their (frames, channels) layout on the host, so each is one block copy
            # into page-locked memory that the GPU reads directly; the device transposes.
            # Only the padding needs zeros: filling the whole batch first would write it twice.
            host = torch.empty(len(chunk), n_max, c_max, pin_memory=device.type == "cuda")
            weights = torch.zeros(len(chunk), c_max)
            for row, i in enumerate(chunk):
                clip = frames[i]
                host[row, : clip.shape[0], : clip.shape[1]] = torch.from_numpy(clip)
                host[row, : clip.shape[0], clip.shape[1] :] = 0.0
                host[row, clip.shape[0] :, :] = 0.0
                weights[row, : clip.shape[1]] = torch.tensor(
                    loudness.channel_weights(clip.shape[1])
                )
            audio = host.to(device, non_blocking=True).transpose(1, 2).contiguous()
            weights = weights.to(device)
            lengths = torch.tensor([frames[i].shape[0] for i in chunk], device=device)
            channels = torch.tensor([frames[i].shape[1] for i in chunk], device=device)
            rms, peak = loudness.sample_levels(audio, lengths, channels)
            lufs = loudness.integrated_loudness(audio, lengths, weights, rate)
            for row, level in enumerate(
                zip(rms.tolist(), peak.tolist(), lufs.tolist(), strict=True)
            ):
                levels[chunk[row]] = level
            analysed = min(n_max, int(MAX_ANALYSIS_S * rate))
            sounding = _sounding_spans(audio[:, :, :analysed], lengths.clamp(max=analysed), rate)
            mono = audio[:, :, :analysed].sum(1) / channels[:, None].to(audio.dtype)
            del audio
            if rate != ANALYSIS_RATE:
                mono = AF.resample(mono, rate, ANALYSIS_RATE)
            for row, i in enumerate(chunk):
                # A lead-in is no part of the music. Silence at the end stays: it may be a
                # rest of the loop, whose every beat the rhythm needs. So does a few ms of an
                # attack rising from zero, so that a clip cut on its sound reads as it always did.
                first, last = sounding[row]
                kept = min(frames[i].shape[0], analysed)
                length = max(1, math.ceil(kept * ANALYSIS_RATE / rate))
                lead = first if first >= _MIN_LEAD_S * rate else 0
                start = min(length - 1, math.floor(lead * ANALYSIS_RATE / rate))
                signals[i] = mono[row, start:length]
                spans[i] = (first / rate, (last - first) / rate)
    return levels, signals, spans


def _sounding_spans(audio: torch.Tensor, lengths: torch.Tensor, rate: int) -> list[tuple[int, int]]:
    """[first, last) samples of each (B, C, N) zero-padded clip whose level (the mean square of
    _LEVEL_BLOCK_S blocks, its loudest channel) stands within _SILENCE_DB of its loudest
    block's: what a recording's lead-in, an encoder's padding or a silent tail leave out.

    Counted in, they move a loop's length off its bars (a quarter of a second puts an 8 s
    loop 3 % off). Blocks, not samples, so that a noisy lead-in's peaks are no sound; the
    first sound then starts at its first sample over the loudest of the lead-in, and ends at
    its last over the loudest of the silence after it, so that the bars counted from them are
    the loop's. A clip that is sound throughout, or silent, keeps all of it."""
    batch, _, size = audio.shape
    block = max(1, round(_LEVEL_BLOCK_S * rate))
    blocks = -(-size // block)
    loudest = audio.abs().amax(1)
    power = torch.nn.functional.pad(loudest.square(), (0, blocks * block - size))
    level = power.reshape(batch, blocks, block).mean(-1)
    starts = torch.arange(blocks, device=audio.device) * block
    inside = starts[None, :] < lengths[:, None]
    floor = level.amax(-1, keepdim=True) * 10.0 ** (_SILENCE_DB / 10.0)
    sounding = (level > floor) & inside
    first_blocks = sounding.int().argmax(-1).tolist()
    last_blocks = (blocks - sounding.flip(-1).int().argmax(-1)).tolist()
    guard = round(_ATTACK_S * rate)
    spans = []
    for row, (anywhere, length) in enumerate(
        zip(sounding.any(-1).tolist(), lengths.tolist(), strict=True)
    ):
        first, last = 0, length
        samples = loudest[row]
        # The lead-in ends where the first loud block starts; its loudest sample, read before
        # the attack could begin, is what the attack's first sample rises over.
        # (Looked for near the loud block first, where it nearly always is.)
        lead_end = first_blocks[row] * block - guard
        if anywhere and lead_end > 0:
            noise = samples[:lead_end].max()
            for end in (lead_end + guard + block, length):
                rising = torch.nonzero(samples[lead_end:end] > noise)
                if len(rising):
                    first = lead_end + int(rising[0])
                    break
        # The same backwards: the last sample over the loudest of the silence after the sound.
        tail_start = min(last_blocks[row] * block, length) + guard
        if anywhere and tail_start < length:
            noise = samples[tail_start:length].max()
            for start in (max(0, tail_start - guard - block), 0):
                falling = torch.nonzero(samples[start:tail_start] > noise)
                if len(falling):
                    last = start + int(falling[-1]) + 1
                    break
        spans.append((first, last))
    return spans


def _analyse(signals: Sequence[torch.Tensor], device: torch.device) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{}] * len(signals)
    sizes = [s.shape[0] for s in signals]
    for chunk in _chunks(list(range(len(signals))), sizes, device):
        batch = torch.zeros(len(chunk), max(sizes[i] for i in chunk), device=device)
        for row, i in enumerate(chunk):
            batch[row, : sizes[i]] = signals[i]
        lengths = torch.tensor([sizes[i] for i in chunk], device=device)
        for row, stats in enumerate(_analyse_padded(batch, lengths)):
            out[chunk[row]] = stats
    return out


def _analyse_padded(signal: torch.Tensor, lengths: torch.Tensor) -> list[dict[str, Any]]:
    mag, mask = spectral.magnitude(signal, lengths, _N_FFT, _HOP)
    power = mag.square()
    mel = spectral.mel_power(power, ANALYSIS_RATE, _N_MELS)
    # The split is only summed, so frame pairs do: half the median work, same ratio.
    paired = spectral.pair_frames(mel)
    harmonic, percussive = spectral.hpss_masks(paired, _HPSS_TIME_KERNEL, _HPSS_FREQ_KERNEL)
    mel_db = spectral.power_to_db(mel)
    shape = spectral.spectral_shape(mag, ANALYSIS_RATE)
    columns = _timbre(signal, lengths, shape, power, mask, mel_db)
    columns["hp_ratio"] = (paired * harmonic).sum(dim=(1, 2)) / paired.sum(dim=(1, 2)).clamp(
        min=1e-20
    )
    # Judge "drums only" where the snare lives: 808 kicks and tuned toms are tonal, but a band's
    # guitars and keys are what make the 1-4 kHz band harmonic.
    low, high = rhythm.BACKBEAT_BANDS
    band_harmonic = (paired * harmonic)[:, low:high].sum(dim=(1, 2))
    band_share = band_harmonic / paired[:, low:high].sum(dim=(1, 2)).clamp(min=1e-20)
    tonality, harmony = _tonality(signal, lengths)
    columns |= tonality
    bright = _bright_percussion(mel, percussive)
    drums_only = band_share < _DRUMS_ONLY_HARMONIC_SHARE
    snare = _bright_percussion(mel, percussive, rhythm.BACKBEAT_BANDS)
    columns |= _rhythm(lengths, mask, mel, mel_db, drums_only, (bright, snare), harmony)
    columns["drums_only"] = drums_only
    host = {name: values.float().cpu().tolist() for name, values in columns.items()}
    analysed_s = (lengths.float() / ANALYSIS_RATE).cpu().tolist()
    similarity = _similarity(power, shape, lengths)
    return [
        {name: values[row] for name, values in host.items()}
        | {"analysed_s": analysed_s[row], "similarity": similarity[row]}
        for row in range(signal.shape[0])
    ]


def _similarity(
    power: torch.Tensor, shape: dict[str, torch.Tensor], lengths: torch.Tensor
) -> list[descriptor.Measurement]:
    # Similarity's descriptor reads this same spectrogram and spectral shape (their first
    # frames) on the host rather than resampling and transforming the clip again.
    out = []
    for row, length in enumerate(lengths.tolist()):
        kept = descriptor.analysed_frames(length)
        frames = {name: shape[name][row, :kept].cpu().numpy() for name in descriptor.FRAME_SHAPE}
        out.append(descriptor.measure(power[row, :, :kept].cpu().numpy(), frames, length))
    return out


def measure_similarity(clip: Clip) -> descriptor.Measurement:
    """What similarity's descriptor reads of one clip, exactly as the analysis measures it (the
    embedding backfill rebuilds an embedding from this and the stored decisions)."""
    return extract_evidence([clip], device="cpu")[0].stats["similarity"]  # type: ignore[no-any-return]


def _timbre(
    signal: torch.Tensor,
    lengths: torch.Tensor,
    shape: dict[str, torch.Tensor],
    power: torch.Tensor,
    mask: torch.Tensor,
    mel_db: torch.Tensor,
) -> dict[str, torch.Tensor]:
    active = spectral.active_frames(power, mask, _N_FFT)
    columns = {name: spectral.masked_mean_std(values, active)[0] for name, values in shape.items()}
    mfcc = spectral.mfcc(mel_db, N_MFCC)
    columns["mfcc_mean"], columns["mfcc_std"] = spectral.masked_mean_std(mfcc, active)
    positions = torch.arange(signal.shape[1], device=signal.device)
    inside = positions[None, 1:] < lengths[:, None]
    crossings = ((signal[:, 1:] >= 0) != (signal[:, :-1] >= 0)) & inside
    columns["zcr"] = crossings.sum(-1) / (lengths - 1).clamp(min=1)
    return columns


def _bright_percussion(
    mel: torch.Tensor, percussive_pairs: torch.Tensor, bands: tuple[int, int] = octave.BRIGHT_BANDS
) -> torch.Tensor:
    # (B, T) power of the percussive part in `bands` (by default above ~4.7 kHz); the mask
    # was made on frame pairs.
    low, high = bands
    mask = percussive_pairs[:, low:high].repeat_interleave(2, dim=2)[:, :, : mel.shape[2]]
    return (mel[:, low:high] * mask).sum(1)


def _rhythm(
    lengths: torch.Tensor,
    mask: torch.Tensor,
    mel: torch.Tensor,
    mel_db: torch.Tensor,
    drums_only: torch.Tensor,
    percussion: tuple[torch.Tensor, torch.Tensor],
    harmony: Harmony,
) -> dict[str, torch.Tensor]:
    frame_rate = ANALYSIS_RATE / _HOP
    n_frames = spectral.frame_counts(lengths, _HOP)
    # Frames whose window runs past the clip's end see the cut as a click, not an onset.
    frame_ends = torch.arange(mask.shape[1], device=mask.device) * _HOP + _N_FFT // 2
    onset_mask = mask & (frame_ends[None, :] <= lengths[:, None])
    envelope = rhythm.onset_envelope(mel_db, onset_mask)
    onsets = rhythm.pick_onsets(envelope, mask).sum(-1)
    # Vinyl crackle can set the level every onset is judged against: counted again with its
    # clicks cut down, a crackling loop still has the onsets a tempo needs.
    tempo_onsets = rhythm.count_onsets_under_clicks(envelope, mask, n_frames)
    beat_envelope = rhythm.clip_clicks(
        rhythm.onset_envelope(mel_db, onset_mask, for_tempo=True), n_frames
    )
    periodicity = rhythm.envelope_periodicity(beat_envelope, n_frames, frame_rate)
    first_bpm, confidence = rhythm.estimate_tempo(periodicity, n_frames, frame_rate)
    backbeat = rhythm.backbeat_envelope(mel, onset_mask)
    onsets_per_s = onsets / (lengths.float() / ANALYSIS_RATE).clamp(min=1e-3)
    duration_s = lengths.float() / ANALYSIS_RATE
    drum_bpm = rhythm.settle_octave(
        first_bpm,
        onsets_per_s,
        backbeat,
        drums_only,
        n_frames,
        frame_rate,
        duration_s,
        periodicity.acf,
        rhythm.bright_onsets(mel_db, onset_mask) / duration_s.clamp(min=1e-3),
        rhythm.grouped_in_three(periodicity, first_bpm),
    )
    bright, snare = percussion
    previous = torch.cat([torch.zeros_like(bright[:, :1]), bright[:, :-1]], dim=1)
    bright_rise = (bright - previous).clamp(min=0.0) * onset_mask
    previous = torch.cat([torch.zeros_like(snare[:, :1]), snare[:, :-1]], dim=1)
    snare_rise = (snare - previous).clamp(min=0.0) * onset_mask
    change, change_frames, chords_alike, _ = harmony
    cues = octave.candidate_features(
        first_bpm,
        periodicity,
        n_frames,
        frame_rate,
        bright_rise,
        change,
        change_frames,
        ANALYSIS_RATE / _CHROMA_HOP,
        onsets_per_s,
        rhythm.envelope_periodicity(
            rhythm.onset_envelope(mel_db[:, slice(*octave.LOW_BANDS)], onset_mask),
            n_frames,
            frame_rate,
        ),
        snare_rise,
        chords_alike,
    )
    # How regularly the chords change, for clips with no onsets to time (strings, a pad):
    # measured only for those, as decide_tempo reads it only for them.
    untimed = (torch.maximum(onsets, tempo_onsets) < _MIN_TEMPO_ONSETS) | (
        confidence < _MIN_TEMPO_CONFIDENCE
    )
    chord_bpm, chord_confidence = torch.zeros_like(confidence), torch.zeros_like(confidence)
    rows = untimed.nonzero()[:, 0]
    if rows.numel():
        chord_rate = ANALYSIS_RATE / _CHROMA_HOP
        frames = harmony.frames[rows]
        periodicity = rhythm.envelope_periodicity(harmony.steps[rows], frames, chord_rate)
        chord_bpm[rows], chord_confidence[rows] = rhythm.estimate_tempo(
            periodicity, frames, chord_rate
        )
    return {
        "onsets": onsets,
        "tempo_onsets": tempo_onsets,
        "drum_bpm": drum_bpm,
        "tempo_confidence": confidence,
        "first_bpm": first_bpm,
        "octave_cues": cues,
        "chord_bpm": chord_bpm,
        "chord_confidence": chord_confidence,
    }


class Harmony(NamedTuple):
    """How a batch's chords move, on the chroma's frames."""

    change: torch.Tensor  # (B, T) _chord_novelty over ~0.74 s: peaks once a bar, mostly
    frames: torch.Tensor  # (B,) chroma frames of each clip
    alike: torch.Tensor  # octave.chord_similarity_by_lag
    steps: torch.Tensor  # (B, T) _chord_novelty over ~0.28 s: peaks at chords a beat apart


def _tonality(
    signal: torch.Tensor, lengths: torch.Tensor
) -> tuple[dict[str, torch.Tensor], Harmony]:
    # Chroma from the harmonic part of a long-window, CQT-like log-frequency spectrogram.
    mag, mask = spectral.magnitude(signal, lengths, _CHROMA_FFT, _CHROMA_HOP)
    active = spectral.active_frames(mag.square(), mask, _CHROMA_FFT)
    log_freq = spectral.log_frequency(mag, _CHROMA_FFT, ANALYSIS_RATE)
    tonal, _ = spectral.hpss_masks(log_freq, _CHROMA_TIME_KERNEL, _CHROMA_FREQ_KERNEL)
    harmonic = log_freq * tonal * active[:, None, :]
    fold = spectral.chroma_fold(signal.device)
    chroma = torch.einsum("bkt,kc->bct", harmonic, fold)
    evidence = keys.key_evidence(harmonic, chroma)
    frames = spectral.frame_counts(lengths, _CHROMA_HOP)
    normalised = chroma / chroma.amax(1, keepdim=True).clamp(min=1e-12)
    mean, std = spectral.masked_mean_std(normalised, active)
    change = _chord_novelty(chroma) * mask
    steps = _chord_novelty(chroma, _CHORD_STEP_WINDOW) * mask
    alike = octave.chord_similarity_by_lag(chroma)
    columns = {
        "chroma_mean": mean,
        "chroma_std": std,
        "chroma_energy": evidence.chroma,
        "chord_shares": evidence.chords,
        "cadences": _cadences(evidence.chord_frames),
        "tonality": evidence.tonality,
        "clarity": evidence.clarity,
    }
    return columns, Harmony(change, frames, alike, steps)


def _cadences(chord_frames: torch.Tensor) -> torch.Tensor:
    # keys.cadences of each clip, read on the host (a walk along a few hundred frames a clip),
    # back on the batch's device beside the other columns.
    rows = [keys.cadences(frames) for frames in chord_frames.cpu().tolist()]
    return torch.tensor(np.stack(rows), device=chord_frames.device, dtype=torch.float32)


def _chord_novelty(chroma: torch.Tensor, width: int = _CHORD_WINDOW) -> torch.Tensor:
    """(B, T) how unlike the pitch-class mix of the next `width` frames is to that of the last.

    Averaging over ~0.7 s (the default) hides the notes of an arpeggio or a melody, so the
    novelty peaks where the chord changes, which is usually once a bar.
    """
    batch, classes, frames = chroma.shape
    flat = chroma.reshape(batch * classes, 1, frames)
    kernel = torch.ones(1, 1, width, device=chroma.device, dtype=chroma.dtype)
    padded = torch.nn.functional.pad(flat, (width, width))
    sums = torch.nn.functional.conv1d(padded, kernel)[:, 0, :]  # window starting at t - width
    before = sums[:, :frames].reshape(batch, classes, frames)
    after = sums[:, width : width + frames].reshape(batch, classes, frames)
    cosine = (before * after).sum(1) / (before.norm(dim=1) * after.norm(dim=1)).clamp(min=1e-12)
    novelty: torch.Tensor = (1.0 - cosine).clamp(min=0.0)
    return novelty


def decide_tempo(
    stats: dict[str, Any],
    duration_s: float,
    model: octave.OctaveModel = octave.DEFAULT_MODEL,
    min_clarity: float = keys.DEFAULT_MODEL.min_clarity,
    unpitched_model: octave.OctaveModel = octave.UNPITCHED_MODEL,
) -> tuple[float | None, float, bool]:
    """(tempo, confidence, is_loop) of one clip from its evidence.

    Drum loops take the backbeat rule's octave, band mixes the fitted octave choice. A clip
    whose clarity reaches `min_clarity` (the key model's floor: it would be given a key) is a
    band mix however loud its drums, and `model` reads it, chords and all; a clip under the
    floor that the backbeat rule does not take reads by `unpitched_model`. The answer
    is never below _MIN_BPM nor a quarter of the first estimate. A loop whose length is a whole
    number of 4/4 or 3/4 bars at that tempo snaps to it exactly (`_snap_to_bars`, which knows
    silence around a loop); the snap never changes the octave, and the confidence is the
    periodicity times the octave choice's own share. A pitched clip with no onsets to time
    takes the rate its chords change at (_tempo_of_chords), their regularity as its
    confidence, and is a loop where that reaches _MIN_LOOP_CONFIDENCE.
    """
    # Too short, too few onsets or no repetition: no tempo from the onsets. A pitched clip's
    # chords may still give one, and a loop where they change as regularly as a loop's onsets.
    periodicity = float(stats["tempo_confidence"])
    onsets = max(int(stats["onsets"]), int(stats.get("tempo_onsets", 0)))
    if (
        stats["analysed_s"] < _MIN_TEMPO_S
        or onsets < _MIN_TEMPO_ONSETS
        or periodicity < _MIN_TEMPO_CONFIDENCE
    ):
        chords_bpm, confidence = _tempo_of_chords(stats, min_clarity)
        if chords_bpm is None:
            return None, 0.0, False
        bpm, is_loop = chords_bpm, confidence >= _MIN_LOOP_CONFIDENCE
    else:
        first = float(stats["first_bpm"])
        # A drum-heavy band mix (a rhumba, a crushed ballad) has a percussive snare band too,
        # but its chords keep the backbeat rule from reading its snare: the fitted choice
        # knows mixes.
        pitched = float(stats["clarity"]) >= min_clarity
        if stats["drums_only"] > 0.5 and not pitched:
            bpm, share = float(stats["drum_bpm"]), 1.0
        else:
            fitted = model if pitched else unpitched_model
            bpm, share = octave.choose(first, stats["octave_cues"], fitted, pitched)
        confidence = min(1.0, max(0.0, periodicity * share))
        is_loop = onsets >= _MIN_LOOP_ONSETS and periodicity >= _MIN_LOOP_CONFIDENCE
    while bpm < _MIN_BPM:
        bpm *= 2.0
    if is_loop:
        bpm = _snap_to_bars(
            bpm,
            duration_s,
            float(stats.get("lead_s", 0.0)),
            float(stats.get("sounding_s", duration_s)),
        )
    return bpm, confidence, is_loop


def _snap_to_bars(bpm: float, duration_s: float, lead_s: float, sounding_s: float) -> float:
    """A loop's tempo where its length is a whole number of 4/4 or 3/4 bars near the reading
    (within _LOOP_TOLERANCE), else the reading.

    The bars run to the clip's end, from its start or, past a lead-in of at least
    _SILENCE_SHARE of the clip, from its first sound: whichever puts a bar count nearer the
    reading (a loop may open on a rest). Silence after the last sound may be part of the loop
    (its last beat a rest) or added to it, so the loop may end anywhere in it: the clip's end
    then needs a bar count within _READING_PRECISION of the reading, a reading that some bar
    count ends inside the silence stands, and one whose bars would end before the last sound
    takes the bars that end on it.
    """

    def off(candidate: float) -> float:
        return abs(candidate / bpm - 1.0)

    def nearest(length: float) -> float:
        return min((beats * 60.0 / length for beats in _LOOP_BEATS), key=off)

    share = _SILENCE_SHARE * duration_s
    if duration_s > MAX_ANALYSIS_S:
        lead_s, sounding_s = 0.0, duration_s  # the analysis stopped before the clip's end
    lead_s = lead_s if lead_s >= share else 0.0
    ends = duration_s - lead_s
    silent_tail = ends - sounding_s >= share
    # On a tie, the whole clip.
    best = min((nearest(duration_s), nearest(ends)), key=off)
    if off(best) <= (_READING_PRECISION if silent_tail else _LOOP_TOLERANCE):
        return best
    if not silent_tail:
        return bpm
    if any(beats * 60.0 / ends <= bpm <= beats * 60.0 / sounding_s for beats in _LOOP_BEATS):
        return bpm
    on_last_sound = nearest(sounding_s)
    return on_last_sound if off(on_last_sound) <= _LOOP_TOLERANCE else bpm


def _tempo_of_chords(stats: dict[str, Any], min_clarity: float) -> tuple[float | None, float]:
    """(tempo, confidence) of a pitched clip without onsets to time (strings or a pad swelling
    into each chord): the rate its chords change at, as sure as their change is regular.
    (None, 0) unless they change regularly (a held chord, a note or a drum hit never does:
    _MIN_CHORD_CONFIDENCE) over _MIN_CHORD_TEMPO_S. Chords two beats or a bar apart change at
    half or a quarter of the tempo, so this octave is less sure than the onsets' one."""
    confidence = float(stats.get("chord_confidence", 0.0))
    if (
        stats["analysed_s"] < _MIN_CHORD_TEMPO_S
        or float(stats["clarity"]) < min_clarity
        or confidence < _MIN_CHORD_CONFIDENCE
    ):
        return None, 0.0
    return float(stats["chord_bpm"]), confidence


def decide(evidence: Evidence, models: Models | None = None) -> AudioFeatures:
    """The features of one clip: the fitted decisions (`models`) applied to its evidence."""
    return _assemble(evidence.samples, evidence.rate, evidence.level, evidence.stats, models)


def _assemble(
    samples: npt.NDArray[np.float32],
    rate: int,
    level: tuple[float, float, float],
    stats: dict[str, Any],
    models: Models | None,
) -> AudioFeatures:
    models = models or Models()
    duration_s = samples.shape[0] / rate
    tempo_bpm, tempo_confidence, is_loop = decide_tempo(
        stats, duration_s, models.octave, models.key.min_clarity, models.unpitched_octave
    )
    tonality = float(stats["tonality"])
    clarity = float(stats["clarity"])
    key, mode, key_confidence = keys.decide(
        stats["chroma_energy"], stats["chord_shares"], clarity, models.key, stats["cadences"]
    )
    rms_dbfs, peak_dbfs, lufs = level
    values: dict[str, Any] = {
        "mfcc_mean": tuple(float(v) for v in stats["mfcc_mean"]),
        "mfcc_std": tuple(float(v) for v in stats["mfcc_std"]),
        "chroma_mean": tuple(float(v) for v in stats["chroma_mean"]),
        "chroma_std": tuple(float(v) for v in stats["chroma_std"]),
        "spectral_centroid_hz": float(stats["centroid"]),
        "spectral_bandwidth_hz": float(stats["bandwidth"]),
        "spectral_rolloff_hz": float(stats["rolloff"]),
        "spectral_flatness": float(stats["flatness"]),
        "zero_crossing_rate": float(stats["zcr"]),
        "onset_rate": float(stats["onsets"]) / max(float(stats["analysed_s"]), 1e-9),
        "harmonic_percussive_ratio": float(stats["hp_ratio"]),
    }
    # Similarity's embedding (issue 24): measured from the audio on the host, see embedding.py.
    embedding = build_embedding(
        EmbeddingInputs(
            measurement=stats["similarity"],
            tempo_bpm=tempo_bpm,
            tonality=tonality,
            harmonic_percussive_ratio=values["harmonic_percussive_ratio"],
            has_key=key is not None,
        )
    )
    return AudioFeatures(
        duration_s=duration_s,
        sample_rate=rate,
        channels=int(samples.shape[1]),
        is_loop=is_loop,
        tempo_bpm=tempo_bpm,
        tempo_confidence=tempo_confidence,
        key=key,
        mode=mode,
        key_confidence=key_confidence,
        tonality=tonality,
        tonal_clarity=clarity,
        rms_dbfs=rms_dbfs,
        peak_dbfs=peak_dbfs,
        lufs_integrated=lufs,
        embedding=embedding,
        **values,
    )
