"""Spectrograms, filterbanks, HPSS and per-frame spectral shape on padded batches (torch)."""

from __future__ import annotations

import functools

import torch
import torchaudio.functional as AF

from analysis_engine.features.median import median_network

# Elements of each of a median filter's live copies at once: ~kernel of them should stay in a
# CPU core's cache; a GPU bounds only its memory.
_CPU_MEDIAN_BUDGET = 1 << 15
_GPU_MEDIAN_BUDGET = 1 << 24
_LOG_BINS_PER_SEMITONE = 3
_LOWEST_MIDI = 24  # C1
_N_SEMITONES = 84  # up to C8


def frame_counts(lengths: torch.Tensor, hop: int) -> torch.Tensor:
    """Frames a centred STFT gives each clip of `lengths` samples."""
    return 1 + torch.div(lengths, hop, rounding_mode="floor")


def frame_mask(lengths: torch.Tensor, hop: int, n_frames: int) -> torch.Tensor:
    """(B, T) bool: which frames belong to each clip rather than to the padding."""
    frames = torch.arange(n_frames, device=lengths.device)
    return frames[None, :] < frame_counts(lengths, hop)[:, None]


def magnitude(
    signal: torch.Tensor, lengths: torch.Tensor, n_fft: int, hop: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, F, T) STFT magnitude with padding frames zeroed, and the (B, T) frame mask."""
    window = torch.hann_window(n_fft, device=signal.device, dtype=signal.dtype)
    # Zero (not reflect) padding: a clip's last frames then match whatever follows it in a batch.
    spec = torch.stft(
        signal, n_fft, hop, window=window, center=True, pad_mode="constant", return_complex=True
    )
    mask = frame_mask(lengths, hop, spec.shape[-1])
    # sqrt(re^2 + im^2) vectorises; complex abs() (hypot) is over twice as slow on a CPU.
    parts = torch.view_as_real(spec)
    real, imag = parts[..., 0], parts[..., 1]
    return torch.addcmul(real * real, imag, imag).sqrt() * mask[:, None, :], mask


def frame_mean_square(power: torch.Tensor, n_fft: int) -> torch.Tensor:
    """Approximate time-domain mean square of each frame from its one-sided power spectrum."""
    # Parseval with a Hann window (sum of w^2 = 3 n / 8), doubling for the one-sided half.
    return power.sum(1) * 16.0 / (3.0 * n_fft * n_fft)


def active_frames(power: torch.Tensor, mask: torch.Tensor, n_fft: int) -> torch.Tensor:
    """Frames within 60 dB of the clip's loudest frame and above -100 dBFS."""
    energy = frame_mean_square(power, n_fft) * mask
    loudest = energy.amax(-1, keepdim=True)
    return mask & (energy >= loudest * 1e-6) & (energy > 1e-10)


@functools.lru_cache(maxsize=8)
def _mel_bank(n_freqs: int, n_mels: int, sample_rate: int, device: torch.device) -> torch.Tensor:
    bank: torch.Tensor = AF.melscale_fbanks(
        n_freqs, 0.0, sample_rate / 2.0, n_mels, sample_rate, norm="slaney", mel_scale="slaney"
    )
    return bank.to(device)


def mel_power(power: torch.Tensor, sample_rate: int, n_mels: int) -> torch.Tensor:
    """(B, M, T) mel power from a (B, F, T) power spectrogram (Slaney mel, area-normalised)."""
    bank = _mel_bank(power.shape[1], n_mels, sample_rate, power.device)
    return torch.einsum("bft,fm->bmt", power, bank)


def power_to_db(mel: torch.Tensor) -> torch.Tensor:
    """dB, floored 80 dB below each clip's peak as librosa does."""
    db = 10.0 * torch.log10(mel.clamp(min=1e-10))
    peak = db.amax(dim=(1, 2), keepdim=True)
    return torch.maximum(db, peak - 80.0)


def mfcc(log_mel_db: torch.Tensor, n_mfcc: int) -> torch.Tensor:
    """(B, n_mfcc, T) MFCCs: orthonormal DCT-II of the log-mel spectrogram."""
    dct = AF.create_dct(n_mfcc, log_mel_db.shape[1], norm="ortho").to(log_mel_db.device)
    return torch.einsum("bmt,mc->bct", log_mel_db, dct)


def spectral_shape(mag: torch.Tensor, sample_rate: int) -> dict[str, torch.Tensor]:
    """Per-frame centroid, bandwidth, 85 % rolloff (Hz) and flatness, each (B, T)."""
    n_freqs = mag.shape[1]
    freqs = torch.linspace(0.0, sample_rate / 2.0, n_freqs, device=mag.device, dtype=torch.float64)
    # The moments as float64 products over frequency: each a single pass over the spectrogram
    # (the spread as E[f^2] - E[f]^2, which float64 keeps exact enough even for a pure tone).
    wide = mag.to(torch.float64)
    total = wide.sum(1).clamp(min=1e-12)
    centroid = torch.einsum("f,bft->bt", freqs, wide) / total
    second = torch.einsum("f,bft->bt", freqs.square(), wide) / total
    spread = (second - centroid.square()).clamp(min=0.0)
    # Bins whose running sum stays under 85 %: cumulative sums along the contiguous axis.
    cumulative = mag.transpose(1, 2).contiguous().cumsum(2)
    threshold = (0.85 * cumulative[:, :, -1:]).contiguous()
    below = torch.searchsorted(cumulative, threshold).squeeze(-1).clamp(max=n_freqs - 1)
    rolloff = below.to(mag.dtype) * (sample_rate / 2.0) / (n_freqs - 1)
    power = mag.square().clamp(min=1e-10)
    flatness = torch.exp(power.log().mean(1)) / power.mean(1)
    return {
        "centroid": centroid.to(mag.dtype),
        "bandwidth": spread.sqrt().to(mag.dtype),
        "rolloff": rolloff,
        "flatness": flatness,
    }


def median_filter(x: torch.Tensor, kernel: int, dim: int) -> torch.Tensor:
    """Median over `kernel` (odd) neighbours along dim 1 (frequency) or 2 (time) of (B, F, T),
    zero-padded at the edges.

    A pruned sorting network of elementwise min/max: exactly the median torch.median gives,
    an order of magnitude faster than sorting unfolded windows, and the same code on a GPU.
    On a CPU it runs on blocks of rows small enough for the ~kernel live copies to stay in
    cache; a GPU takes the whole batch in one go.
    """
    half = kernel // 2
    pad = (half, half, 0, 0) if dim == 2 else (0, 0, half, half)
    padded = torch.nn.functional.pad(x, pad)
    budget = _CPU_MEDIAN_BUDGET if x.device.type == "cpu" else _GPU_MEDIAN_BUDGET
    if x.numel() <= budget:
        return _network_median(padded, kernel, dim, x.shape[dim])
    batch, n_rows, n_frames = x.shape
    step = max(1, budget // n_frames)
    halo = 2 * half if dim == 1 else 0
    clips = []
    # Row blocks of one clip are contiguous in memory, with the frequency halo when needed.
    for b in range(batch):
        blocks = []
        for start in range(0, n_rows, step):
            rows = min(step, n_rows - start)
            block = padded[b : b + 1, start : start + rows + halo]
            blocks.append(_network_median(block, kernel, dim, rows if dim == 1 else n_frames))
        clips.append(torch.cat(blocks, dim=1))
    return torch.cat(clips, dim=0)


def _network_median(padded: torch.Tensor, kernel: int, dim: int, size: int) -> torch.Tensor:
    wires = [padded.narrow(dim, k, size) for k in range(kernel)]
    for i, j in median_network(kernel):
        low, high = wires[i], wires[j]
        wires[i], wires[j] = torch.minimum(low, high), torch.maximum(low, high)
    return wires[kernel // 2]


def pair_frames(x: torch.Tensor) -> torch.Tensor:
    """Sum adjacent frames of (B, F, T), zero-padding an odd T (as a longer batch would)."""
    if x.shape[-1] % 2:
        x = torch.nn.functional.pad(x, (0, 1))
    return x.reshape(x.shape[0], x.shape[1], -1, 2).sum(-1)


def hpss_masks(
    power: torch.Tensor, time_kernel: int, freq_kernel: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Soft (Wiener) harmonic and percussive masks from median filtering, each like power."""
    harmonic = median_filter(power, time_kernel, dim=2)
    percussive = median_filter(power, freq_kernel, dim=1)
    h2 = harmonic.square()
    p2 = percussive.square()
    total = (h2 + p2).clamp(min=1e-20)
    return h2 / total, p2 / total


@functools.lru_cache(maxsize=8)
def log_frequency_bank(n_fft: int, sample_rate: int, device: torch.device) -> torch.Tensor:
    """(F, K) map from STFT bins to 1/3-semitone bins from C1 to C8 (a CQT-like grid)."""
    n_freqs = n_fft // 2 + 1
    bin_hz = sample_rate / n_fft
    freqs = torch.arange(n_freqs, dtype=torch.float64) * bin_hz
    n_bins = _N_SEMITONES * _LOG_BINS_PER_SEMITONE
    midi = _LOWEST_MIDI - 1.0 / 3.0 + torch.arange(n_bins, dtype=torch.float64) / 3.0
    centres = 440.0 * 2.0 ** ((midi - 69.0) / 12.0)
    # Triangles one sub-bin wide, but never narrower than an STFT bin: low notes interpolate.
    width = torch.clamp(centres * (2.0 ** (1.0 / 36.0) - 1.0), min=bin_hz)
    weights = (1.0 - (freqs[:, None] - centres[None, :]).abs() / width[None, :]).clamp(min=0.0)
    return weights.to(device=device, dtype=torch.float32)


def log_frequency(mag: torch.Tensor, n_fft: int, sample_rate: int) -> torch.Tensor:
    """(B, K, T) log-frequency spectrogram of a (B, F, T) magnitude (see log_frequency_bank)."""
    bank = log_frequency_bank(n_fft, sample_rate, mag.device)
    # Only STFT bins between C1 and C8 feed the grid: two thirds of the product skipped.
    low, high = _bank_rows(n_fft, sample_rate)
    return torch.einsum("bft,fk->bkt", mag[:, low:high], bank[low:high])


@functools.lru_cache(maxsize=8)
def _bank_rows(n_fft: int, sample_rate: int) -> tuple[int, int]:
    used = torch.nonzero(log_frequency_bank(n_fft, sample_rate, torch.device("cpu")).sum(1))
    return int(used[0]), int(used[-1]) + 1


@functools.lru_cache(maxsize=8)
def chroma_fold(device: torch.device) -> torch.Tensor:
    """(K, 12) map from the log-frequency bins to pitch classes (C = 0)."""
    n_bins = _N_SEMITONES * _LOG_BINS_PER_SEMITONE
    fold = torch.zeros(n_bins, 12)
    for k in range(n_bins):
        semitone = round((k - 1) / _LOG_BINS_PER_SEMITONE)
        fold[k, (_LOWEST_MIDI + semitone) % 12] = 1.0
    return fold.to(device)


def smooth_frames(values: torch.Tensor, width: int) -> torch.Tensor:
    """A (B, C, T) tensor averaged over `width` frames (odd) centred on each, zeros beyond its
    ends."""
    batch, channels, frames = values.shape
    kernel = torch.ones(1, 1, width, device=values.device, dtype=values.dtype) / width
    flat = values.reshape(batch * channels, 1, frames)
    smoothed = torch.nn.functional.conv1d(flat, kernel, padding=width // 2)
    return smoothed.reshape(batch, channels, frames)


def masked_mean_std(values: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and population std over the last axis where mask holds; zeros where it never does."""
    weight = mask.to(values.dtype)
    while weight.dim() < values.dim():
        weight = weight.unsqueeze(1)
    count = weight.sum(-1).clamp(min=1.0)
    mean = (values * weight).sum(-1) / count
    var = ((values - mean[..., None]).square() * weight).sum(-1) / count
    return mean, var.clamp(min=0.0).sqrt()
