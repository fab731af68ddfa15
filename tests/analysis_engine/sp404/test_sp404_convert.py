"""Conversion to the sampler's 16-bit 48 kHz PCM: rate, quality, dither and limits."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from analysis_engine.sp404 import (
    ClipTooLongError,
    ConvertOptions,
    UnsupportedAudioError,
    check_wav_header,
    convert_audio,
    decode_audio,
    write_wav,
)


def tone(
    freq: float, seconds: float, rate: int, *, channels: int = 1, amp: float = 0.5
) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    mono = amp * np.sin(2 * np.pi * freq * t)
    return np.repeat(mono[:, None], channels, axis=1)


def faded(audio: np.ndarray, rate: int, seconds: float = 0.02) -> np.ndarray:
    """Raised-cosine fades, so the test measures aliasing and not the click of a hard start."""
    n = round(seconds * rate)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))
    out = audio.copy()
    out[:n] *= ramp[:, None]
    out[-n:] *= ramp[::-1, None]
    return out


def spectrum_db(pcm: np.ndarray) -> np.ndarray:
    """Amplitude spectrum in dB relative to a full-scale sine."""
    x = pcm[:, 0].astype(np.float64) / 32768
    window = np.hanning(len(x))
    magnitude = np.abs(np.fft.rfft(x * window)) / (window.sum() / 2)
    db: np.ndarray = 20 * np.log10(np.maximum(magnitude, 1e-20))
    return db


def test_a_1khz_sine_at_44k1_keeps_its_frequency_after_conversion() -> None:
    converted = convert_audio(tone(1000, 1.0, 44_100), 44_100)
    assert converted.sample_rate == 48_000
    assert converted.frames == 48_000
    # One second at 48 kHz: FFT bins are 1 Hz wide.
    peak_bin = int(np.argmax(spectrum_db(converted.pcm)))
    assert abs(peak_bin - 1000) <= 1


@pytest.mark.parametrize("freq", [25_000, 30_000, 40_000])
def test_tones_above_the_new_nyquist_leave_nothing_above_minus_80_dbfs(freq: int) -> None:
    source = faded(tone(freq, 1.0, 96_000, amp=1.0), 96_000)
    converted = convert_audio(source, 96_000)
    x = converted.pcm[:, 0].astype(np.float64) / 32768
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(x**2)) * np.sqrt(2))
    assert rms_dbfs < -80
    assert spectrum_db(converted.pcm).max() < -80


def test_a_sweep_near_the_source_nyquist_does_not_alias() -> None:
    rate = 96_000
    t = np.arange(rate) / rate
    # Linear sweep from 26 kHz to 47 kHz: all of it must be filtered out.
    phase = 2 * np.pi * (26_000 * t + (47_000 - 26_000) * t**2 / 2)
    converted = convert_audio(faded(np.sin(phase)[:, None], rate), rate)
    assert spectrum_db(converted.pcm).max() < -80


def test_a_tone_inside_the_passband_survives_downsampling_at_full_level() -> None:
    converted = convert_audio(tone(15_000, 1.0, 96_000, amp=0.5), 96_000)
    spectrum = spectrum_db(converted.pcm)
    assert int(np.argmax(spectrum)) == 15_000
    assert spectrum.max() == pytest.approx(20 * np.log10(0.5), abs=0.1)


def test_dither_makes_the_quantisation_error_uncorrelated_with_a_tiny_signal() -> None:
    rate = 48_000
    # A sine of 0.3 LSB: plain rounding turns it into silence.
    signal = tone(440, 1.0, rate, amp=0.3 / 32768)
    plain = convert_audio(signal, rate, ConvertOptions(dither=False))
    dithered = convert_audio(signal, rate, ConvertOptions(dither=True))
    assert not plain.pcm.any()
    error_plain = plain.pcm[:, 0] / 32768 - signal[:, 0]
    error_dithered = dithered.pcm[:, 0] / 32768 - signal[:, 0]
    assert np.corrcoef(error_plain, signal[:, 0])[0, 1] < -0.99
    assert abs(np.corrcoef(error_dithered, signal[:, 0])[0, 1]) < 0.05
    # TPDF dither plus rounding: error power of 1/4 LSB squared.
    assert np.var(error_dithered * 32768) == pytest.approx(0.25, rel=0.1)


def test_a_seeded_conversion_gives_identical_samples_every_time() -> None:
    source = tone(1000, 0.5, 44_100)
    first = convert_audio(source, 44_100, ConvertOptions(dither_seed=7))
    second = convert_audio(source, 44_100, ConvertOptions(dither_seed=7))
    other_seed = convert_audio(source, 44_100, ConvertOptions(dither_seed=8))
    assert np.array_equal(first.pcm, second.pcm)
    assert not np.array_equal(first.pcm, other_seed.pcm)


def test_16_bit_48k_audio_passes_through_bit_exact() -> None:
    rng = np.random.default_rng(1)
    pcm = rng.integers(-32768, 32767, size=(4800, 2), dtype=np.int16)
    converted = convert_audio(pcm / 32768, 48_000)
    assert np.array_equal(converted.pcm, pcm)


@pytest.mark.parametrize("channels", [1, 2])
def test_mono_stays_mono_and_stereo_stays_stereo(channels: int) -> None:
    converted = convert_audio(tone(220, 0.2, 44_100, channels=channels), 44_100)
    assert converted.channels == channels


def test_one_dimensional_input_is_taken_as_mono() -> None:
    converted = convert_audio(tone(220, 0.2, 48_000)[:, 0], 48_000)
    assert converted.pcm.shape == (9600, 1)


def test_six_channels_are_downmixed_to_stereo_without_clipping() -> None:
    surround = np.ones((4800, 6))
    converted = convert_audio(surround, 48_000)
    assert converted.channels == 2
    assert converted.clipped_samples == 0
    assert converted.pcm.max() <= 32767


def test_a_32_bit_float_44k1_file_comes_out_16_bit_48k() -> None:
    source = io.BytesIO()
    soundfile.write(
        source, tone(440, 0.5, 44_100, channels=2), 44_100, subtype="FLOAT", format="WAV"
    )
    source.seek(0)
    audio, rate = decode_audio(source)
    assert rate == 44_100
    converted = convert_audio(audio, rate)
    out = io.BytesIO()
    write_wav(out, converted.pcm)
    info = check_wav_header(out.getvalue())
    assert (info.sample_rate, info.channels) == (48_000, 2)
    out.seek(0)
    described = soundfile.info(out)
    assert (described.samplerate, described.subtype, described.channels) == (48_000, "PCM_16", 2)


def test_undecodable_bytes_raise_a_clear_error() -> None:
    with pytest.raises(UnsupportedAudioError, match="cannot decode"):
        decode_audio(io.BytesIO(b"not audio at all"))


def test_peak_normalise_puts_the_loudest_sample_at_minus_0_3_dbfs() -> None:
    converted = convert_audio(
        tone(1000, 0.5, 48_000, amp=0.1), 48_000, ConvertOptions(normalise=True)
    )
    peak_dbfs = 20 * np.log10(np.abs(converted.pcm.astype(np.float64)).max() / 32768)
    assert peak_dbfs == pytest.approx(-0.3, abs=0.01)


def test_trim_removes_leading_and_trailing_silence_below_the_threshold() -> None:
    rate = 48_000
    body = tone(1000, 0.5, rate, amp=0.5)
    body[0] = 0.01  # so the first frame is above the threshold, not a sine zero
    audio = np.concatenate([np.zeros((rate // 5, 1)), body, np.full((rate // 4, 1), 1e-5)])
    converted = convert_audio(audio, rate, ConvertOptions(trim_silence_dbfs=-60))
    assert converted.frames == pytest.approx(body.shape[0], abs=2)
    assert converted.trimmed_frames == pytest.approx(rate // 5 + rate // 4, abs=2)


def test_an_all_silent_clip_is_not_trimmed_to_nothing() -> None:
    converted = convert_audio(np.zeros((9600, 1)), 48_000, ConvertOptions(trim_silence_dbfs=-60))
    assert converted.frames == 9600


def test_a_clip_shorter_than_100_ms_is_flagged_and_left_alone_by_default() -> None:
    converted = convert_audio(tone(1000, 0.05, 48_000), 48_000)
    assert converted.too_short
    assert not converted.padded
    assert converted.frames == 2400


def test_a_clip_shorter_than_100_ms_is_padded_with_silence_when_asked() -> None:
    converted = convert_audio(tone(1000, 0.05, 48_000), 48_000, ConvertOptions(pad_short=True))
    assert converted.padded
    assert converted.frames == 4800
    assert not converted.pcm[2400:].any()


def test_a_clip_longer_than_16_minutes_is_refused() -> None:
    rate = 1000  # a low rate keeps 16 minutes small in memory
    with pytest.raises(ClipTooLongError, match="16"):
        convert_audio(np.full((16 * 60 * rate + 1, 1), 0.1), rate)


def test_a_long_clip_is_judged_after_its_silence_is_trimmed() -> None:
    rate = 1000
    audio = np.zeros((16 * 60 * rate + 500, 1))
    audio[100:600] = 0.5
    options = ConvertOptions(trim_silence_dbfs=-60)
    assert convert_audio(audio, rate, options).frames == 500 * 48


@pytest.mark.parametrize(
    ("audio", "message"),
    [
        (np.zeros((0, 1)), "no frames"),
        (np.array([[0.0], [np.nan]]), "NaN"),
        (np.zeros((2, 2, 2)), "frames x channels"),
    ],
)
def test_unusable_audio_raises_a_clear_error(audio: np.ndarray, message: str) -> None:
    with pytest.raises(UnsupportedAudioError, match=message):
        convert_audio(audio, 48_000)
