"""Byte layout of the SP-404MK2 native project files (firmware 5.x, beta).

Every offset and fixed value of `PADCONF.BIN` and `.SMP` lives here so that a
fix found on hardware is one edit. All multi-byte fields are big-endian.

Source: files written by real SP-404MK2 units (the dumps in
`shared/sp404-reference/`, from jorgb/ugc-tools, MIT). The tests compare our
output with those files byte for byte; what they settle:

- Header: "RFPD", then u32 160 (pads), u32 0x03000000, u32 0x7A80 (pad
  records plus names). Byte 0x11 selects the tempo (0 in every dump; the dump
  author reads 0 as bank tempo, 1 as project tempo), u16 project BPM x 100 at
  0x12. u32 0x40 at 0x1C, 0x20 and 0x24 and u32 0x20 at 0x2C..0x3C in every
  dump (meaning unknown; written as found).
- Bank tempos are ten u32 BPM x 200 from 0x40, bank A first (90.00 BPM =
  0x00004650).
- Bank levels are ten u16 holding 127 - level from 0x6C, pairs swapped (B, A,
  D, C, ...). Every dump has level 127 (zero bytes); the order and the
  inversion are the dump author's notes, not yet seen in a file.
- The project name is ASCII, NUL-padded to 32 bytes at 0x80.
- Pad records (172 bytes from 0xA0) are u32 words. Start, end and loop start
  are byte offsets into the `.SMP` (512 + frame x channels x 2); +0x00 holds
  the `.SMP` file size. An empty pad has all four at 0, gate 1 and 90.00 BPM.
- One-shot is flag 0x20 at +0x28 and the device clears gate (+0x10) with it.
- With vinyl on (+0x44 = 1, the default) the device stores pitch as speed,
  2^(semitones/12) x 10000 cut to an integer at +0x40 (-3 semitones = 8408 in
  the reverse ping-pong dump); +0x34/+0x38 (semitones, fine) are the vinyl-off
  fields and stay 0.
- Pad names are 24 bytes from 0x6C20: a used pad's name NUL-padded, an unused
  pad's 23 spaces and a NUL.
- Marks: 128 bytes per pad from 0x7B20, 16 u32 0xFFFFFFFF then 64 zero bytes
  when the pad has no chops.
- `.SMP`: "RFWV", u32 file size - 8, u32 48000, u32 channels, u32 16, then
  MD5 of bytes 4..19 at 0x20. Bytes 0x30..0x1FF hold data we cannot derive
  (different in every device file); we write zeros there, which only a device
  can confirm. Audio is big-endian 16-bit from byte 512.
"""

from __future__ import annotations

# ---- PADCONF.BIN --------------------------------------------------------
PADCONF_SIZE = 52_000
PADCONF_MAGIC = b"RFPD"

HEADER_PAD_COUNT = 0x04
HEADER_VERSION = 0x08
HEADER_TABLE_SIZE = 0x0C
HEADER_TEMPO_SELECT = 0x11
HEADER_PROJECT_BPM = 0x12
HEADER_BANK_BPMS = 0x40
HEADER_BANK_LEVELS = 0x6C
HEADER_NAME = 0x80
HEADER_NAME_LENGTH = 32

PAD_COUNT_VALUE = 160
VERSION_VALUE = 0x0300_0000
# Length of pad records plus pad names: 160 x 172 + 160 x 24.
TABLE_SIZE_VALUE = 0x7A80
TEMPO_SELECT_BANK = 0
TEMPO_SELECT_PROJECT = 1
# (offset, u32 value) found in the header of every device file.
HEADER_CONSTANTS = (
    (0x1C, 0x40),
    (0x20, 0x40),
    (0x24, 0x40),
    (0x2C, 0x20),
    (0x30, 0x20),
    (0x34, 0x20),
    (0x38, 0x20),
    (0x3C, 0x20),
)
PROJECT_BPM_SCALE = 100
BANK_BPM_SCALE = 200
BANK_LEVEL_MAX = 127
# Banks in the order their u16 level fields are stored (pairs swapped).
BANK_LEVEL_ORDER = (1, 0, 3, 2, 5, 4, 7, 6, 9, 8)

PAD_RECORDS = 0xA0
PAD_RECORD_SIZE = 172

PAD_FILE_SIZE = 0x00
PAD_START = 0x04
PAD_END = 0x08
PAD_VOLUME = 0x0C
PAD_GATE = 0x10
PAD_LOOP = 0x14
PAD_CONST_1 = 0x18
PAD_MUTE_GROUP = 0x1C
PAD_BPM_SYNC = 0x20
PAD_BPM = 0x24
PAD_FLAGS = 0x28
PAD_LOOP_START = 0x2C
PAD_PITCH = 0x34
PAD_FINE = 0x38
PAD_PLAY_MODE = 0x3C
PAD_SPEED = 0x40
PAD_VINYL = 0x44
PAD_PAN = 0x48
PAD_LINK = 0x4C
PAD_BUS = 0x50
PAD_ROLL = 0x54
PAD_ATTACK = 0x58
PAD_HOLD = 0x5C
PAD_RELEASE = 0x60

LOOP_ON = 0x7FFF_FFFF
FLAG_ONE_SHOT = 0x20
PAD_BPM_SCALE = 100
SPEED_SCALE = 10_000
# Device defaults, as every unused pad of the reference files holds them.
DEFAULT_VOLUME = 127
DEFAULT_GATE = 1
DEFAULT_PAD_BPM = 90.0
DEFAULT_SPEED = 10_000
DEFAULT_VINYL = 1
DEFAULT_PAN = 64
DEFAULT_BUS = 1
DEFAULT_ROLL = 2
DEFAULT_ATTACK = 0
DEFAULT_HOLD = 100
DEFAULT_RELEASE = 0
CONST_1_VALUE = 1
# Mute groups seen in device files: 1 (A) and 2 (B). Higher ones are not
# written until a device file shows how they are stored.
MAX_CONFIRMED_MUTE_GROUP = 2

PAD_NAMES = 0x6C20
PAD_NAME_SIZE = 24
PAD_NAME_CHARS = 23

MARKS = 0x7B20
MARK_BLOCK_SIZE = 128
MARK_SLOTS = 16
MARK_EMPTY = 0xFFFF_FFFF

# ---- SMPL/BANKn-NN.SMP ---------------------------------------------------
SMP_MAGIC = b"RFWV"
SMP_SIZE_FIELD = 0x04
SMP_RATE_FIELD = 0x08
SMP_CHANNELS_FIELD = 0x0C
SMP_BITS_FIELD = 0x10
# MD5 of the bytes from SMP_CHECKED_FROM up to SMP_CHECKED_TO, stored at SMP_MD5_FIELD.
SMP_CHECKED_FROM = 0x04
SMP_CHECKED_TO = 0x14
SMP_MD5_FIELD = 0x20
SMP_AUDIO_OFFSET = 512
SMP_SAMPLE_RATE = 48_000
SMP_BITS = 16
