"""Turn decoded audio into what the SP-404MK2 stores: 16-bit PCM at 48 kHz.

The order matters: trim on the source (cheap, and silence is silence at any
rate), resample with soxr VHQ, normalise after resampling (the filter can
overshoot), pad, then add TPDF dither once, at the final quantisation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from analysis_engine.sp404.errors import ClipTooLongError, UnsupportedAudioError

TARGET_RATE = 48_000
MAX_SECONDS = 16 * 60
MIN_SECONDS = 0.1
NORMALISE_PEAK_DBFS = -0.3
_FULL_SCALE = 32768.0
# Extra channels join each side at -3 dB, like the centre of a surround mix.
_SIDE_GAIN = 1 / np.sqrt(2)

FloatAudio = npt.NDArray[np.float64]
Pcm16 = npt.NDArray[np.int16]


@dataclass(frozen=True)
class ConvertOptions:
    """How to convert: all off except dither, which a 16-bit target needs."""

    normalise: bool = False
    trim_silence_dbfs: float | None = None
    pad_short: bool = False
    dither: bool = True
    # A fixed seed by default: the same input gives the same bytes, so a
    # re-export is identical and caches stay valid.
    dither_seed: int | None = 0


@dataclass(frozen=True)
class ConvertedAudio:
    """16-bit PCM at 48 kHz, frames x channels, and what happened on the way."""

    pcm: Pcm16
    too_short: bool
    padded: bool
    clipped_samples: int
    trimmed_frames: int

    @property
    def sample_rate(self) -> int:
        """Always 48,000: the only rate the sampler stores."""
        return TARGET_RATE

    @property
    def frames(self) -> int:
        """Number of frames of audio."""
        return int(self.pcm.shape[0])

    @property
    def channels(self) -> int:
        """1 for mono, 2 for stereo."""
        return int(self.pcm.shape[1])

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.frames / TARGET_RATE


def decode_audio(source: str | os.PathLike[str] | IO[bytes]) -> tuple[FloatAudio, int]:
    """Decode a file path or file object into (float frames x channels, sample rate)."""
    try:
        audio, rate = soundfile.read(source, dtype="float64", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise UnsupportedAudioError(f"cannot decode audio: {exc}") from exc
    return audio, int(rate)


def convert_audio(
    audio: npt.ArrayLike, sample_rate: int, options: ConvertOptions | None = None
) -> ConvertedAudio:
    """Convert float audio (frames x channels, or 1-D mono) to 16-bit PCM at 48 kHz."""
    opts = options or ConvertOptions()
    samples = _as_frames(audio, sample_rate)
    samples = _to_stereo_at_most(samples)
    trimmed = 0
    if opts.trim_silence_dbfs is not None:
        before = samples.shape[0]
        samples = trim_silence(samples, opts.trim_silence_dbfs)
        trimmed = before - samples.shape[0]
    # Checked after trimming: silence the user did not ask for should not count.
    if samples.shape[0] > MAX_SECONDS * sample_rate:
        minutes = samples.shape[0] / sample_rate / 60
        raise ClipTooLongError(
            f"clip lasts {minutes:.1f} minutes; an SP-404MK2 sample may last 16 at most"
        )
    if sample_rate != TARGET_RATE and samples.shape[0] > 0:
        resampled = np.asarray(
            soxr.resample(samples, sample_rate, TARGET_RATE, quality="VHQ"), dtype=np.float64
        )
        samples = resampled if resampled.ndim == 2 else resampled[:, None]
    if opts.normalise:
        samples = normalise_peak(samples, NORMALISE_PEAK_DBFS)
    pcm, clipped = quantise(samples, dither=opts.dither, seed=opts.dither_seed)
    min_frames = round(MIN_SECONDS * TARGET_RATE)
    too_short = pcm.shape[0] < min_frames
    padded = too_short and opts.pad_short
    if padded:
        # Padded after quantising so the pad is digital silence, not dither noise.
        pad = np.zeros((min_frames - pcm.shape[0], pcm.shape[1]), dtype=np.int16)
        pcm = np.concatenate([pcm, pad])
    return ConvertedAudio(
        pcm=pcm, too_short=too_short, padded=padded, clipped_samples=clipped, trimmed_frames=trimmed
    )


def _as_frames(audio: npt.ArrayLike, sample_rate: int) -> FloatAudio:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate < 1000:
        raise UnsupportedAudioError(f"sample rate must be an integer >= 1000 Hz, got {sample_rate}")
    samples = np.asarray(audio, dtype=np.float64)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2 or samples.shape[1] < 1:
        raise UnsupportedAudioError("audio must be 1-D or shaped frames x channels")
    if samples.shape[0] == 0:
        raise UnsupportedAudioError("audio has no frames")
    if not np.all(np.isfinite(samples)):
        raise UnsupportedAudioError("audio contains NaN or infinite values")
    return samples


def _to_stereo_at_most(samples: FloatAudio) -> FloatAudio:
    channels = samples.shape[1]
    if channels <= 2:
        return samples
    # First two channels are left and right; the rest feed both sides equally.
    # Dividing by the summed gain keeps a full-scale input from clipping.
    rest = samples[:, 2:].sum(axis=1) * _SIDE_GAIN
    scale = 1.0 + _SIDE_GAIN * (channels - 2)
    left = (samples[:, 0] + rest) / scale
    right = (samples[:, 1] + rest) / scale
    return np.stack([left, right], axis=1)


def trim_silence(samples: FloatAudio, threshold_dbfs: float) -> FloatAudio:
    """Drop leading and trailing frames quieter than `threshold_dbfs` on every channel."""
    threshold = 10 ** (threshold_dbfs / 20)
    loud = np.flatnonzero(np.max(np.abs(samples), axis=1) > threshold)
    if loud.size == 0:
        # An all-quiet clip is kept whole: an empty sample helps nobody.
        return samples
    return samples[loud[0] : loud[-1] + 1]


def normalise_peak(samples: FloatAudio, peak_dbfs: float) -> FloatAudio:
    """Scale so the highest absolute sample sits at `peak_dbfs`; silence stays silent."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return samples
    result: FloatAudio = samples * (10 ** (peak_dbfs / 20) / peak)
    return result


def quantise(samples: FloatAudio, *, dither: bool, seed: int | None) -> tuple[Pcm16, int]:
    """Round to 16 bits with optional TPDF dither; return PCM and samples over 0 dBFS."""
    # +1.0 maps to 32768 and lands on 32767: one LSB short is not worth a warning.
    clipped = int(np.count_nonzero(np.abs(samples) > 1.0))
    scaled = samples * _FULL_SCALE
    # Audio already on the 16-bit grid (a 16-bit 48 kHz source left alone)
    # passes bit-exact; dithering it would only add noise.
    if dither and not np.array_equal(scaled, np.round(scaled)):
        rng = np.random.default_rng(seed)
        # Sum of two uniform +-0.5 LSB variables: triangular, +-1 LSB peak.
        scaled = (
            scaled + rng.uniform(-0.5, 0.5, scaled.shape) + rng.uniform(-0.5, 0.5, scaled.shape)
        )
    pcm = np.clip(np.round(scaled), -32768, 32767).astype(np.int16)
    return np.ascontiguousarray(pcm), clipped
