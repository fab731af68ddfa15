"""Batched feature extraction on CPU or CUDA: the worker's entry point (imports torch)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torchaudio.functional as AF

from analysis_engine.features import keys, loudness, octave, rhythm, spectral
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
# Padded samples one sub-batch may hold: bounds memory however long the clips are. A GPU
# takes bigger sub-batches (2^26 samples at 22050 Hz is ~50 minutes of audio, a few GiB).
_CPU_SAMPLE_BUDGET = 1 << 23
_GPU_SAMPLE_BUDGET = 1 << 26
_MIN_TEMPO_S = 1.0
_MIN_TEMPO_ONSETS = 3
_MIN_TEMPO_CONFIDENCE = 0.1
_MIN_LOOP_ONSETS = 4
_MIN_LOOP_CONFIDENCE = 0.3
_LOOP_BARS = (1, 2, 4, 8, 16)
_LOOP_TOLERANCE = 0.04
# Below this harmonic share at 1-4 kHz a clip counts as drums only for the backbeat check.
_DRUMS_ONLY_HARMONIC_SHARE = 0.5


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """The requested device, else CUDA when present, else the CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def extract_batch(
    clips: Sequence[Clip], *, device: str | torch.device | None = None
) -> list[AudioFeatures]:
    """Analyse (samples frames x channels, sample_rate) clips together; one result per clip."""
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
        levels, signals = _upload(frames, rates, target)
        analysed = _analyse(signals, target)
    return [
        _assemble(samples, rate, level, stats)
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
    # Walk clips shortest first and cut whenever the padded batch would pass the budget.
    budget = _CPU_SAMPLE_BUDGET if device.type == "cpu" else _GPU_SAMPLE_BUDGET
    chunk: list[int] = []
    for index in sorted(order, key=lambda i: sizes[i]):
        if chunk and sizes[index] * (len(chunk) + 1) > budget:
            yield chunk
            chunk = []
        chunk.append(index)
    if chunk:
        yield chunk


def _by_rate(rates: Sequence[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for index, rate in enumerate(rates):
        groups.setdefault(rate, []).append(index)
    return groups


def _upload(
    frames: Sequence[npt.NDArray[np.float32]], rates: Sequence[int], device: torch.device
) -> tuple[list[tuple[float, float, float]], list[torch.Tensor]]:
    """Levels of each whole clip, and its mono analysis signal at ANALYSIS_RATE on `device`.

    Each clip crosses to the device once: levels, the mono mix-down (the first
    MAX_ANALYSIS_S seconds) and the resampling all work on the same padded batch.
    """
    levels: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(frames)
    signals: list[torch.Tensor] = [torch.empty(0)] * len(frames)
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
            mono = audio[:, :, :analysed].sum(1) / channels[:, None].to(audio.dtype)
            del audio
            if rate != ANALYSIS_RATE:
                mono = AF.resample(mono, rate, ANALYSIS_RATE)
            for row, i in enumerate(chunk):
                kept = min(frames[i].shape[0], analysed)
                length = max(1, math.ceil(kept * ANALYSIS_RATE / rate))
                signals[i] = mono[row, :length]
    return levels, signals


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
    columns = _timbre(signal, lengths, mag, power, mask, mel_db)
    columns["hp_ratio"] = (paired * harmonic).sum(dim=(1, 2)) / paired.sum(dim=(1, 2)).clamp(
        min=1e-20
    )
    # Judge "drums only" where the snare lives: 808 kicks and tuned toms are tonal, but a band's
    # guitars and keys are what make the 1-4 kHz band harmonic.
    low, high = rhythm.BACKBEAT_BANDS
    band_harmonic = (paired * harmonic)[:, low:high].sum(dim=(1, 2))
    band_share = band_harmonic / paired[:, low:high].sum(dim=(1, 2)).clamp(min=1e-20)
    chroma_mean, chroma_std, key_results, harmony = _tonality(signal, lengths)
    columns["chroma_mean"] = chroma_mean
    columns["chroma_std"] = chroma_std
    bright = _bright_percussion(mel, percussive)
    drums_only = band_share < _DRUMS_ONLY_HARMONIC_SHARE
    columns |= _rhythm(lengths, mask, mel, mel_db, drums_only, bright, harmony)
    host = {name: values.float().cpu().tolist() for name, values in columns.items()}
    analysed_s = (lengths.float() / ANALYSIS_RATE).cpu().tolist()
    return [
        {name: values[row] for name, values in host.items()}
        | {"analysed_s": analysed_s[row], "key": key_results[row]}
        for row in range(signal.shape[0])
    ]


def _timbre(
    signal: torch.Tensor,
    lengths: torch.Tensor,
    mag: torch.Tensor,
    power: torch.Tensor,
    mask: torch.Tensor,
    mel_db: torch.Tensor,
) -> dict[str, torch.Tensor]:
    active = spectral.active_frames(power, mask, _N_FFT)
    columns = {
        name: spectral.masked_mean_std(values, active)[0]
        for name, values in spectral.spectral_shape(mag, ANALYSIS_RATE).items()
    }
    mfcc = spectral.mfcc(mel_db, N_MFCC)
    columns["mfcc_mean"], columns["mfcc_std"] = spectral.masked_mean_std(mfcc, active)
    positions = torch.arange(signal.shape[1], device=signal.device)
    inside = positions[None, 1:] < lengths[:, None]
    crossings = ((signal[:, 1:] >= 0) != (signal[:, :-1] >= 0)) & inside
    columns["zcr"] = crossings.sum(-1) / (lengths - 1).clamp(min=1)
    return columns


def _bright_percussion(mel: torch.Tensor, percussive_pairs: torch.Tensor) -> torch.Tensor:
    # (B, T) power of the percussive part above ~4.7 kHz; the mask was made on frame pairs.
    low, high = octave.BRIGHT_BANDS
    mask = percussive_pairs[:, low:high].repeat_interleave(2, dim=2)[:, :, : mel.shape[2]]
    return (mel[:, low:high] * mask).sum(1)


def _rhythm(
    lengths: torch.Tensor,
    mask: torch.Tensor,
    mel: torch.Tensor,
    mel_db: torch.Tensor,
    drums_only: torch.Tensor,
    bright: torch.Tensor,
    harmony: tuple[torch.Tensor, torch.Tensor],
) -> dict[str, torch.Tensor]:
    frame_rate = ANALYSIS_RATE / _HOP
    n_frames = spectral.frame_counts(lengths, _HOP)
    # Frames whose window runs past the clip's end see the cut as a click, not an onset.
    frame_ends = torch.arange(mask.shape[1], device=mask.device) * _HOP + _N_FFT // 2
    onset_mask = mask & (frame_ends[None, :] <= lengths[:, None])
    envelope = rhythm.onset_envelope(mel_db, onset_mask)
    onsets = rhythm.pick_onsets(envelope, mask).sum(-1)
    beat_envelope = rhythm.onset_envelope(mel_db, onset_mask, for_tempo=True)
    periodicity = rhythm.envelope_periodicity(beat_envelope, n_frames, frame_rate)
    first_bpm, confidence = rhythm.estimate_tempo(periodicity, n_frames, frame_rate)
    backbeat = rhythm.backbeat_envelope(mel, onset_mask)
    onsets_per_s = onsets / (lengths.float() / ANALYSIS_RATE).clamp(min=1e-3)
    drum_bpm = rhythm.settle_octave(
        first_bpm, onsets_per_s, backbeat, drums_only, n_frames, frame_rate
    )
    previous = torch.cat([torch.zeros_like(bright[:, :1]), bright[:, :-1]], dim=1)
    bright_rise = (bright - previous).clamp(min=0.0) * onset_mask
    change, change_frames = harmony
    cues = octave.candidate_features(
        first_bpm,
        periodicity,
        n_frames,
        frame_rate,
        bright_rise,
        change,
        change_frames,
        ANALYSIS_RATE / _CHROMA_HOP,
    )
    band_bpm = octave.choose(first_bpm, cues)
    bpm = torch.where(drums_only, drum_bpm, band_bpm)
    return {
        "onsets": onsets,
        "bpm": bpm,
        "tempo_confidence": confidence,
        "first_bpm": first_bpm,
        "octave_cues": cues,
    }


def _tonality(
    signal: torch.Tensor, lengths: torch.Tensor
) -> tuple[
    torch.Tensor,
    torch.Tensor,
    list[tuple[str | None, str | None, float]],
    tuple[torch.Tensor, torch.Tensor],
]:
    # Chroma from the harmonic part of a long-window, CQT-like log-frequency spectrogram.
    mag, mask = spectral.magnitude(signal, lengths, _CHROMA_FFT, _CHROMA_HOP)
    active = spectral.active_frames(mag.square(), mask, _CHROMA_FFT)
    bank = spectral.log_frequency_bank(_CHROMA_FFT, ANALYSIS_RATE, signal.device)
    log_freq = torch.einsum("bft,fk->bkt", mag, bank)
    tonal, _ = spectral.hpss_masks(log_freq, _CHROMA_TIME_KERNEL, _CHROMA_FREQ_KERNEL)
    chroma = torch.einsum("bkt,kc->bct", log_freq * tonal, spectral.chroma_fold(signal.device))
    chroma = chroma * active[:, None, :]
    key_results = keys.estimate_keys(chroma.sum(-1))
    normalised = chroma / chroma.amax(1, keepdim=True).clamp(min=1e-12)
    mean, std = spectral.masked_mean_std(normalised, active)
    # How much the pitch-class mix changes frame to frame: peaks where the chord changes.
    shares = chroma / chroma.sum(1, keepdim=True).clamp(min=1e-12)
    rise = (shares[:, :, 1:] - shares[:, :, :-1]).clamp(min=0.0).sum(1)
    change = torch.cat([torch.zeros_like(rise[:, :1]), rise], dim=1) * mask
    return mean, std, key_results, (change, spectral.frame_counts(lengths, _CHROMA_HOP))


def _tempo(stats: dict[str, Any], duration_s: float) -> tuple[float | None, float, bool]:
    # Too short, too few onsets or no repetition: no tempo, and certainly not a loop.
    confidence = float(stats["tempo_confidence"])
    onsets = int(stats["onsets"])
    if (
        stats["analysed_s"] < _MIN_TEMPO_S
        or onsets < _MIN_TEMPO_ONSETS
        or confidence < _MIN_TEMPO_CONFIDENCE
    ):
        return None, 0.0, False
    bpm = float(stats["bpm"])
    is_loop = onsets >= _MIN_LOOP_ONSETS and confidence >= _MIN_LOOP_CONFIDENCE
    if is_loop:
        # A loop cut to N whole 4/4 bars pins the tempo exactly; it only has to agree roughly.
        candidates = [bars * 240.0 / duration_s for bars in _LOOP_BARS]
        closest = min(candidates, key=lambda c: abs(c - bpm))
        if abs(closest - bpm) <= _LOOP_TOLERANCE * closest:
            bpm = closest
    return bpm, min(1.0, max(0.0, confidence)), is_loop


def _assemble(
    samples: npt.NDArray[np.float32],
    rate: int,
    level: tuple[float, float, float],
    stats: dict[str, Any],
) -> AudioFeatures:
    duration_s = samples.shape[0] / rate
    tempo_bpm, tempo_confidence, is_loop = _tempo(stats, duration_s)
    key, mode, key_confidence = stats["key"]
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
    embedding = build_embedding(
        EmbeddingInputs(
            **values,
            is_loop=is_loop,
            tempo_bpm=tempo_bpm,
            tempo_confidence=tempo_confidence,
            duration_s=duration_s,
            rms_dbfs=rms_dbfs,
            peak_dbfs=peak_dbfs,
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
        rms_dbfs=rms_dbfs,
        peak_dbfs=peak_dbfs,
        lufs_integrated=lufs,
        embedding=embedding,
        **values,
    )
