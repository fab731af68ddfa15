"""The SP-404MK2 pad grid: banks, pads and the settings a kit gives each pad."""

from __future__ import annotations

from dataclasses import dataclass, field

BANKS = "ABCDEFGHIJ"
PADS_PER_BANK = 16
PAD_COUNT = len(BANKS) * PADS_PER_BANK
MIN_BPM = 40.0
MAX_BPM = 300.0
MAX_MUTE_GROUP = 16
# 16 minutes at 48 kHz, the longest sample a pad holds.
MAX_FRAMES = 16 * 60 * 48_000


def bank_index(letter: str) -> int:
    """Return 0..9 for bank letter 'A'..'J' (case-insensitive)."""
    upper = letter.upper() if isinstance(letter, str) else ""
    if len(upper) != 1 or upper not in BANKS:
        raise ValueError(f"bank must be one of A..J, got {letter!r}")
    return BANKS.index(upper)


def bank_letter(index: int) -> str:
    """Return 'A'..'J' for bank index 0..9."""
    if not 0 <= index < len(BANKS):
        raise ValueError(f"bank index must be 0..9, got {index}")
    return BANKS[index]


def pad_index(bank: str, pad: int) -> int:
    """Return the 0..159 position of a pad (A1 is 0, J16 is 159)."""
    _check_range("pad", pad, 1, PADS_PER_BANK)
    return bank_index(bank) * PADS_PER_BANK + pad - 1


def pad_from_index(index: int) -> tuple[str, int]:
    """Return (bank letter, pad 1..16) for a 0..159 pad position."""
    _check_range("pad index", index, 0, PAD_COUNT - 1)
    return BANKS[index // PADS_PER_BANK], index % PADS_PER_BANK + 1


def _check_range(name: str, value: int, low: int, high: int) -> None:
    # bool is an int subclass; True as a pad number is always a caller bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {low}..{high}, got {value}")


def _check_bpm(name: str, value: float) -> None:
    if not MIN_BPM <= value <= MAX_BPM:
        raise ValueError(f"{name} must be {MIN_BPM:g}..{MAX_BPM:g} BPM, got {value}")


@dataclass(frozen=True)
class PadSettings:
    """What one pad plays and how; defaults are the sampler's own."""

    bank: str
    pad: int
    volume: int = 127
    pitch: int = 0
    fine: int = 0
    pan: int = 64
    gate: bool = False
    loop: bool = False
    one_shot: bool = False
    mute_group: int = 0
    bpm: float | None = None
    bpm_sync: bool = False
    # Trim points in frames of the sample: play from `start` up to (not including) `end`.
    # None means the sample's first frame and its length; writers check `end` against it.
    start: int | None = None
    end: int | None = None

    def __post_init__(self) -> None:
        # Normalise the bank letter so 'a' and 'A' are the same pad.
        object.__setattr__(self, "bank", bank_letter(bank_index(self.bank)))
        _check_range("pad", self.pad, 1, PADS_PER_BANK)
        if self.start is not None:
            _check_range("start (frames)", self.start, 0, MAX_FRAMES)
        if self.end is not None:
            _check_range("end (frames)", self.end, 1, MAX_FRAMES)
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end must be after start, got {self.start}..{self.end}")
        _check_range("volume", self.volume, 0, 127)
        _check_range("pitch (semitones)", self.pitch, -12, 12)
        _check_range("fine tune (cents)", self.fine, -50, 50)
        _check_range("pan", self.pan, 0, 127)
        _check_range("mute group", self.mute_group, 0, MAX_MUTE_GROUP)
        if self.bpm is not None:
            _check_bpm("pad bpm", self.bpm)

    @property
    def index(self) -> int:
        """The 0..159 position of this pad."""
        return pad_index(self.bank, self.pad)

    @property
    def label(self) -> str:
        """The pad as the sampler shows it, e.g. 'A-01'."""
        return f"{self.bank}-{self.pad:02d}"


@dataclass(frozen=True)
class ProjectSettings:
    """A kit or project: name, tempo and per-bank tempo and level."""

    name: str
    bpm: float = 120.0
    bank_bpms: tuple[float, ...] = field(default_factory=tuple)
    bank_levels: tuple[int, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        _check_bpm("project bpm", self.bpm)
        # An empty tuple means "every bank follows the project", the device default.
        bpms = self.bank_bpms or (self.bpm,) * len(BANKS)
        levels = self.bank_levels or (127,) * len(BANKS)
        if len(bpms) != len(BANKS) or len(levels) != len(BANKS):
            raise ValueError("bank_bpms and bank_levels need one value per bank A..J (10)")
        for letter, bpm in zip(BANKS, bpms, strict=True):
            _check_bpm(f"bank {letter} bpm", bpm)
        for letter, level in zip(BANKS, levels, strict=True):
            _check_range(f"bank {letter} level", level, 0, 127)
        object.__setattr__(self, "bank_bpms", tuple(float(b) for b in bpms))
        object.__setattr__(self, "bank_levels", tuple(levels))
