"""Sample levels and ITU-R BS.1770-4 integrated loudness on padded batches (torch)."""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.signal
import torch

from analysis_engine.features.model import DB_FLOOR

_BLOCK_S = 0.4
_STEP_S = 0.1  # 75 % overlap between 400 ms gating blocks
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0
_SURROUND_GAIN = 1.41


def channel_weights(channels: int) -> list[float]:
    """BS.1770 channel gains, assuming WAV order (L R C LFE Ls Rs for 5.1)."""
    if channels == 5:
        return [1.0, 1.0, 1.0, _SURROUND_GAIN, _SURROUND_GAIN]
    if channels == 6:
        # The LFE channel does not count towards loudness.
        return [1.0, 1.0, 1.0, 0.0, _SURROUND_GAIN, _SURROUND_GAIN]
    return [1.0] * channels


@functools.lru_cache(maxsize=16)
def _k_weighting_sos(sample_rate: int) -> np.ndarray:
    # The two biquads (shelf, then the 38 Hz high-pass) re-derived for any rate from the
    # analog prototypes, as libebur128 does: (2, 6) second-order sections b0 b1 b2 1 a1 a2.
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    vh = 10.0 ** (3.999843853973347 / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ]
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1.0 + k / q + k * k
    high = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, high])


@functools.lru_cache(maxsize=16)
def _k_weighting_response(sample_rate: int) -> np.ndarray:
    # On a GPU the filter runs as a truncated impulse response: one FFT convolution.
    # The 38 Hz high-pass is the slowest part: its tail is below 1e-9 after ~0.25 s.
    length = 1 << math.ceil(math.log2(max(64, int(0.25 * sample_rate))))
    impulse = np.zeros(length)
    impulse[0] = 1.0
    response: np.ndarray = scipy.signal.sosfilt(_k_weighting_sos(sample_rate), impulse)
    return response.astype(np.float32)


def k_weighted(flat: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """(R, N) rows of audio through the K-weighting filter, in float32 on their device."""
    n_samples = flat.shape[1]
    if flat.device.type == "cpu":
        # A CPU runs the two biquads directly (float64 state), several times faster than an
        # FFT convolution with the 0.25 s response; the two agree to ~1e-8.
        filtered = scipy.signal.sosfilt(_k_weighting_sos(sample_rate), flat.numpy(), axis=-1)
        return torch.from_numpy(filtered.astype(np.float32))
    response = torch.from_numpy(_k_weighting_response(sample_rate)).to(flat.device)
    # A 5-smooth length (2^a 3^b 5^c): torch's FFT slows badly on lengths with large prime
    # factors, and the next power of two can be almost twice the clip.
    n_fft = fast_fft_length(n_samples + response.shape[0])
    spectrum = torch.fft.rfft(flat, n=n_fft) * torch.fft.rfft(response, n=n_fft)
    filtered_fft: torch.Tensor = torch.fft.irfft(spectrum, n=n_fft)[:, :n_samples]
    return filtered_fft


def sample_levels(
    audio: torch.Tensor, lengths: torch.Tensor, channels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """RMS and sample-peak dBFS of (B, C, N) zero-padded audio over its real samples."""
    count = (lengths * channels).clamp(min=1).to(audio.dtype)
    mean_square = audio.square().sum(dim=(1, 2)) / count
    peak = audio.abs().amax(dim=(1, 2))
    return _to_db(mean_square, 10.0), _to_db(peak, 20.0)


def integrated_loudness(
    audio: torch.Tensor, lengths: torch.Tensor, weights: torch.Tensor, sample_rate: int
) -> torch.Tensor:
    """Gated integrated loudness (LUFS) of (B, C, N) zero-padded audio sharing one rate."""
    batch, n_channels, n_samples = audio.shape
    filtered = k_weighted(audio.reshape(batch * n_channels, n_samples), sample_rate)
    # Zero the filter's ring-out past each clip's end, as a clip analysed alone would have.
    positions = torch.arange(n_samples, device=audio.device)
    inside = (positions[None, :] < lengths[:, None]).repeat_interleave(n_channels, dim=0)
    power = filtered.masked_fill_(~inside, 0.0).square()
    block = round(_BLOCK_S * sample_rate)
    step = round(_STEP_S * sample_rate)
    z = _block_means(power, block, step)
    z = z.reshape(batch, n_channels, -1)
    n_blocks = torch.where(lengths >= block, (lengths - block) // step + 1, 0)
    valid = torch.arange(z.shape[-1], device=audio.device)[None, :] < n_blocks[:, None]
    # A clip shorter than one block is measured as a single block over all of it.
    whole = power.reshape(batch, n_channels, -1).sum(-1) / lengths.clamp(min=1)[:, None]
    short = n_blocks == 0
    z = torch.cat([z, whole[:, :, None]], dim=-1)
    valid = torch.cat([valid, short[:, None]], dim=-1)
    block_power = (z * weights[:, :, None]).sum(1)
    block_lufs = -0.691 + 10.0 * torch.log10(block_power.clamp(min=1e-30))
    gated = valid & (block_lufs > _ABSOLUTE_GATE_LUFS)
    relative = _gated_lufs(z, weights, gated) + _RELATIVE_GATE_LU
    gated = gated & (block_lufs > relative[:, None])
    lufs = _gated_lufs(z, weights, gated)
    return torch.where(gated.any(-1), lufs, torch.full_like(lufs, DB_FLOOR)).clamp(min=DB_FLOOR)


def _block_means(power: torch.Tensor, block: int, step: int) -> torch.Tensor:
    """(R, blocks) mean power of each whole `block`-sample window, one every `step` samples."""
    n_samples = power.shape[1]
    if n_samples < block:
        return power.new_zeros(power.shape[0], 0)
    count = (n_samples - block) // step + 1
    per_block = block // step
    if per_block * step != block:
        return torch.nn.functional.avg_pool1d(power[:, None, :], block, step)[:, 0, :]
    # A block is a whole number of steps (0.4 s = 4 x 0.1 s at most rates): sum each step
    # once and add neighbours, instead of summing every sample four times.
    steps = count + per_block - 1
    sums = power[:, : steps * step].reshape(power.shape[0], steps, step).sum(-1)
    total = sums[:, :count].clone()
    for offset in range(1, per_block):
        total += sums[:, offset : offset + count]
    return total / block


@functools.lru_cache(maxsize=256)
def fast_fft_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c at least n."""
    best = 1 << math.ceil(math.log2(max(1, n)))
    twos = 1
    while twos < best:
        threes = twos
        while threes < best:
            fives = threes
            while fives < best:
                if fives >= n:
                    best = fives
                    break
                fives *= 5
            threes *= 3
        twos *= 2
    return best


def _gated_lufs(z: torch.Tensor, weights: torch.Tensor, gated: torch.Tensor) -> torch.Tensor:
    mask = gated[:, None, :].to(z.dtype)
    mean_z = (z * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)
    power = (mean_z * weights).sum(-1)
    return -0.691 + 10.0 * torch.log10(power.clamp(min=1e-30))


def _to_db(value: torch.Tensor, factor: float) -> torch.Tensor:
    floor = 10.0 ** (DB_FLOOR / factor)
    return (factor * torch.log10(value.clamp(min=floor))).clamp(min=DB_FLOOR)
