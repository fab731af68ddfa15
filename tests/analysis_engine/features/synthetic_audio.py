"""Audio with known answers, synthesised in numpy for the feature tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]
SR = 44100

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def sine(freq: float, dbfs: float, seconds: float, sr: int = SR, channels: int = 1) -> Audio:
    """A sine whose peak sits at `dbfs` on every channel."""
    t = np.arange(int(seconds * sr)) / sr
    wave = 10.0 ** (dbfs / 20.0) * np.sin(2.0 * np.pi * freq * t)
    return np.repeat(wave[:, None], channels, axis=1).astype(np.float32)


def white_noise(seconds: float, sr: int = SR, seed: int = 0) -> Audio:
    """Gaussian white noise at about -12 dBFS RMS."""
    rng = np.random.default_rng(seed)
    return (0.25 * rng.standard_normal((int(seconds * sr), 1))).astype(np.float32)


def coloured_noise(seconds: float, tilt_db: float, sr: int = SR, seed: int = 0) -> Audio:
    """Gaussian noise whose power falls tilt_db per octave (0 white, 3 pink, 6 brown, -6 a
    hat wash's rise), peaking at -6 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.maximum(np.fft.rfftfreq(n, 1.0 / sr), 20.0)
    spectrum *= (freqs / 1000.0) ** (-tilt_db / 20.0 / np.log10(2.0))
    wave = np.fft.irfft(spectrum, n)
    return (0.5 * wave / np.abs(wave).max())[:, None].astype(np.float32)


def _kick(sr: int, decay: float = 0.25) -> npt.NDArray[np.float64]:
    t = np.arange(int(0.6 * sr)) / sr
    freq = 50.0 + 90.0 * np.exp(-t / 0.04)
    phase = 2.0 * np.pi * np.cumsum(freq) / sr
    return 0.9 * np.sin(phase) * np.exp(-t / decay)


def _snare(sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    t = np.arange(int(0.3 * sr)) / sr
    body = 0.4 * np.sin(2.0 * np.pi * 185.0 * t) * np.exp(-t / 0.05)
    noise = 0.5 * rng.standard_normal(t.shape[0]) * np.exp(-t / 0.08)
    return body + noise


def _hat(sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    t = np.arange(int(0.08 * sr)) / sr
    noise = np.diff(rng.standard_normal(t.shape[0] + 1))  # tilts the noise bright
    return 0.15 * noise * np.exp(-t / 0.015)


def _place(out: npt.NDArray[np.float64], hit: npt.NDArray[np.float64], at: float, sr: int) -> None:
    start = round(at * sr)
    end = min(out.shape[0], start + hit.shape[0])
    if start < end:
        out[start:end] += hit[: end - start]


def click_track(bpm: float, seconds: float, sr: int = SR, seed: int = 0) -> Audio:
    """Identical short noise clicks on every beat."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.01 * sr)) / sr
    click = 0.5 * rng.standard_normal(t.shape[0]) * np.exp(-t / 0.002)
    out = np.zeros(int(seconds * sr))
    beat = 0.0
    while beat < seconds:
        _place(out, click, beat, sr)
        beat += 60.0 / bpm
    return out[:, None].astype(np.float32)


def _drum_clip(out: npt.NDArray[np.float64], channels: int = 1) -> Audio:
    """A rendered drum track peak-normalised to 0.8, as (frames, channels) float32."""
    out = out / max(1e-9, float(np.abs(out).max())) * 0.8
    return np.repeat(out[:, None], channels, axis=1).astype(np.float32)


def drum_loop(
    bpm: float, bars: int, sr: int = SR, variant: int = 0, seed: int = 0, channels: int = 1
) -> Audio:
    """Kick/snare/hat in 4/4, exactly `bars` bars long; variants move a kick and a hat."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    n = round(bars * 4 * beat * sr)
    out = np.zeros(n)
    kick, snare = _kick(sr), _snare(sr, rng)
    for bar in range(bars):
        start = bar * 4 * beat
        kicks = (0.0, 2.0) if variant == 0 else (0.0, 2.5)
        for k in kicks:
            _place(out, kick, start + k * beat, sr)
        for s in (1.0, 3.0):
            _place(out, snare, start + s * beat, sr)
        for eighth in range(8):
            gain = 1.0 if eighth % 2 == 0 or variant == 0 else 0.6
            _place(out, gain * _hat(sr, rng), start + eighth * beat / 2.0, sr)
    return _drum_clip(out, channels)


def kick_one_shot(sr: int = SR) -> Audio:
    """One decaying kick drum hit, then silence."""
    out = np.zeros(int(1.5 * sr))
    _place(out, _kick(sr, decay=0.15), 0.0, sr)
    return out[:, None].astype(np.float32)


def _tone(midi: float, seconds: float, sr: int) -> npt.NDArray[np.float64]:
    # Additive harmonic tone (partials 1..6 falling as 1/k) with a soft attack and release.
    t = np.arange(int(seconds * sr)) / sr
    f0 = 440.0 * 2.0 ** ((midi - 69.0) / 12.0)
    wave = sum(np.sin(2.0 * np.pi * k * f0 * t) / k for k in range(1, 7) if k * f0 < sr / 2)
    envelope = np.minimum(1.0, t / 0.02) * np.minimum(1.0, (seconds - t) / 0.05)
    return np.asarray(wave * envelope, dtype=np.float64)


_MAJOR_CHORDS = ((0, 4, 7), (5, 9, 12), (7, 11, 14), (0, 4, 7))  # I IV V I
_MINOR_CHORDS = ((0, 3, 7), (5, 8, 12), (7, 11, 14), (0, 3, 7))  # i iv V i


def chord_progression(
    tonic: str, mode: str, sr: int = SR, arpeggio: bool = False, chord_s: float = 1.0
) -> Audio:
    """I-IV-V-I (or i-iv-V-i) in the key, with the root in the bass; twice through."""
    root = 48 + NOTE_NAMES.index(tonic)
    chords = _MAJOR_CHORDS if mode == "major" else _MINOR_CHORDS
    pieces = []
    for chord in chords * 2:
        if arpeggio:
            step = chord_s / len(chord)
            notes = [_tone(root + 12 + interval, step, sr) for interval in chord]
            upper = np.concatenate(notes)
        else:
            upper = sum(_tone(root + 12 + interval, chord_s, sr) for interval in chord)
        bass = _tone(root + chord[0] - 12 if chord[0] < 12 else root, chord_s, sr)
        length = min(upper.shape[0], bass.shape[0])
        pieces.append(upper[:length] + 0.8 * bass[:length])
    out = np.concatenate(pieces)
    return (out / np.abs(out).max() * 0.7)[:, None].astype(np.float32)


def band_mix(bpm: float, bars: int, sr: int = SR) -> Audio:
    """A drum loop under sustained chords changing every bar: drums no longer dominate."""
    return _under_chords(drum_loop(bpm, bars, sr), bpm, 4, sr)


def _under_chords(drums: Audio, bpm: float, beats_per_bar: int, sr: int) -> Audio:
    # Sustained chords in C major changing every bar, looped to the drums' length.
    chords = chord_progression("C", "major", sr, chord_s=beats_per_bar * 60.0 / bpm)
    while chords.shape[0] < drums.shape[0]:
        chords = np.concatenate([chords, chords])
    return (0.5 * drums + 0.6 * chords[: drums.shape[0]]).astype(np.float32)


def stab_band_mix(bpm: float, bars: int, sr: int = SR) -> Audio:
    """A drum loop under short chord stabs on every eighth, a chord a bar (a rhumba's or a
    ska's comping): the snare's band is mostly percussive, though the clip is plainly pitched."""
    beat = 60.0 / bpm
    drums = drum_loop(bpm, bars, sr, variant=1)[:, 0].astype(np.float64)
    stabs = np.zeros_like(drums)
    for bar in range(bars):
        chord = _MAJOR_CHORDS[bar % len(_MAJOR_CHORDS)]
        hit = sum(_tone(60 + interval, 0.12, sr) for interval in chord)
        hit = hit + 0.8 * _tone(36 + chord[0], 0.12, sr)
        for eighth in range(8):
            # Offbeats louder, as comping pushes them.
            _place(stabs, hit * (1.0 if eighth % 2 else 0.6), (bar * 4 + eighth / 2) * beat, sr)
    out = 0.5 * drums + 0.3 * stabs / max(1e-9, float(np.abs(stabs).max()))
    return out[:, None].astype(np.float32)


def sine_pad(seconds: float = 6.0, sr: int = SR) -> Audio:
    """A soft sustained A-minor chord of pure sines."""
    t = np.arange(int(seconds * sr)) / sr
    wave = sum(np.sin(2.0 * np.pi * f * t) for f in (220.0, 261.63, 329.63))
    fade = np.minimum(1.0, t / 0.5) * np.minimum(1.0, (seconds - t) / 0.5)
    return (0.2 * wave * fade)[:, None].astype(np.float32)


def swelling_chords(bpm: float, bars: int, swell_s: float = 0.45, sr: int = SR) -> Audio:
    """Whole 4/4 bars of legato chords (I-IV-V-I in C, a chord a beat, bass an octave down),
    each swelling in and out over `swell_s` from 60 dB down, as strings or a pad play them:
    no attack anywhere, so no frame rises far above the one before."""
    beat = 60.0 / bpm
    n = round(bars * 4 * beat * sr)
    t = np.arange(n) / sr
    out = np.zeros(n)
    for index in range(-1, bars * 4 + 1):
        start, end = index * beat - swell_s / 2, (index + 1) * beat + swell_s / 2
        # dB-linear: the level climbs the 60 dB evenly across the swell.
        rise = np.minimum(np.clip((t - start) / swell_s, 0, 1), np.clip((end - t) / swell_s, 0, 1))
        envelope = np.where((t >= start) & (t <= end), 10.0 ** (-3.0 * (1.0 - rise)), 0.0)
        chord = _MAJOR_CHORDS[index % len(_MAJOR_CHORDS)]
        for interval in (*chord, chord[0] - 12):
            f0 = 261.63 * 2.0 ** (interval / 12.0)
            out += envelope * sum(np.sin(2.0 * np.pi * k * f0 * t) / k for k in range(1, 5))
    return (0.7 * out / np.abs(out).max())[:, None].astype(np.float32)


def waltz_loop(bpm: float, bars: int, sr: int = SR, seed: int = 0) -> Audio:
    """Kick on 1, snare on 2 and 3, hats on the eighths: 3/4, exactly `bars` bars long."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    out = np.zeros(round(bars * 3 * beat * sr))
    kick, snare = _kick(sr), _snare(sr, rng)
    for bar in range(bars):
        start = bar * 3 * beat
        _place(out, kick, start, sr)
        for s in (1.0, 2.0):
            _place(out, 0.8 * snare, start + s * beat, sr)
        for eighth in range(6):
            _place(out, _hat(sr, rng), start + eighth * beat / 2.0, sr)
    return _drum_clip(out)


def shuffle_loop(bpm: float, bars: int, sr: int = SR, seed: int = 0) -> Audio:
    """Kick on 1 and 3, a soft snare on 2 and 4, loud hats on the swung eighths (first and
    third triplet of each beat): 4/4, exactly `bars` bars long."""
    return _triplet_feel_loop(bpm, bars, sr, seed, snare_gain=0.4, hat_gain=10.0,
                              hat_thirds=(0.0, 2.0 / 3.0))  # fmt: skip


def twelve_eight_loop(bpm: float, bars: int, sr: int = SR, seed: int = 0) -> Audio:
    """A slow 12/8: kick on beats 1 and 3, snare on 2 and 4 (bpm counts the dotted quarter),
    hats on all twelve triplet eighths of the bar; exactly `bars` bars long."""
    return _triplet_feel_loop(bpm, bars, sr, seed, snare_gain=1.0, hat_gain=3.0,
                              hat_thirds=(0.0, 1.0 / 3.0, 2.0 / 3.0))  # fmt: skip


def _triplet_feel_loop(
    bpm: float, bars: int, sr: int, seed: int, *, snare_gain: float, hat_gain: float,
    hat_thirds: tuple[float, ...],
) -> Audio:  # fmt: skip
    # Kick on 1 and 3, snare on 2 and 4, hats on the given thirds of every beat.
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    out = np.zeros(round(bars * 4 * beat * sr))
    kick, snare = _kick(sr), _snare(sr, rng)
    for bar in range(bars):
        start = bar * 4 * beat
        for k in (0.0, 2.0):
            _place(out, kick, start + k * beat, sr)
        for s in (1.0, 3.0):
            _place(out, snare_gain * snare, start + s * beat, sr)
        for b in range(4):
            for third in hat_thirds:
                _place(out, hat_gain * _hat(sr, rng), start + (b + third) * beat, sr)
    return _drum_clip(out)


def waltz_band_mix(bpm: float, bars: int, sr: int = SR) -> Audio:
    """A 3/4 drum loop under sustained chords changing every bar (three beats)."""
    return _under_chords(waltz_loop(bpm, bars, sr), bpm, 3, sr)


def shuffle_band_mix(bpm: float, bars: int, sr: int = SR) -> Audio:
    """A shuffle drum loop (swung eighths: each beat splits in three, as in 12/8) under
    sustained chords changing every bar."""
    return _under_chords(shuffle_loop(bpm, bars, sr), bpm, 4, sr)


def six_eight_band_mix(eighth_bpm: float, bars: int, sr: int = SR, seed: int = 0) -> Audio:
    """6/8 at `eighth_bpm` eighths a minute: kick on 1, snare on 4, hats on the eighths (the
    first of each three louder), under sustained chords changing every bar (six eighths)."""
    rng = np.random.default_rng(seed)
    eighth = 60.0 / eighth_bpm
    out = np.zeros(round(bars * 6 * eighth * sr))
    kick, snare = _kick(sr), _snare(sr, rng)
    for bar in range(bars):
        start = bar * 6 * eighth
        _place(out, kick, start, sr)
        _place(out, snare, start + 3 * eighth, sr)
        for step in range(6):
            gain = 1.0 if step % 3 == 0 else 0.6
            _place(out, gain * _hat(sr, rng), start + step * eighth, sr)
    return _under_chords(_drum_clip(out), eighth_bpm, 6, sr)
