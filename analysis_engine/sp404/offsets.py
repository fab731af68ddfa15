"""Byte layout of the SP-404MK2 native project files (firmware 5.01, beta).

Every offset and fixed value of `PADCONF.BIN` and `.SMP` lives here so that a
fix found on hardware is one edit. All multi-byte fields are big-endian.

Source: public reverse-engineering of firmware 5.01 files; not verified on a
device. Where that work leaves a width unstated we chose, and say so here:

- Header words at 0x04, 0x08 and 0x0C are 32-bit unsigned.
- Tempo mode is a 16-bit field at 0x10 holding the published value 0x11, so
  byte 0x10 is 0 and byte 0x11 is 0x11; that also satisfies the reading
  "tempo mode is the byte at 0x11". Project BPM x 100 is a 16-bit unsigned
  at 0x12 (300.00 BPM = 30000 fits).
- Bank BPMs x 200 are ten 16-bit unsigned values from 0x40 (300 BPM = 60000
  fits), bank A first.
- Bank levels are ten single bytes from 0x6C holding 127 - level, in pair
  order B, A, D, C, F, E, H, G, J, I.
- The project name is ASCII, NUL-padded to 32 bytes at 0x80 (a 32-character
  name has no terminator, as the field allows).
- Every pad-record member is a 32-bit big-endian word at 4-byte spacing;
  pitch and fine tune are signed (two's complement), the rest unsigned.
  Unnamed words (+0x30 and +0x64 to the record's end) are written as zero.
- Start, end and loop start are byte offsets into the `.SMP` file
  (512 + frame x bytes-per-frame); an assigned pad's loop start is its start.
- Empty pads carry 120.00 BPM (12000), the device's default tempo; assigned
  pads without a known BPM get the same.
- Pad names are 24 bytes: the name space-padded to 23 characters, then NUL.
- `.SMP` header: "RFWV", file size - 8, sample rate, channels and bits as
  32-bit unsigned words, then zeros up to the audio at byte 512.
"""

from __future__ import annotations

# ---- PADCONF.BIN --------------------------------------------------------
PADCONF_SIZE = 52_000
PADCONF_MAGIC = b"RFPD"

HEADER_PAD_COUNT = 0x04
HEADER_VERSION = 0x08
HEADER_TABLE_SIZE = 0x0C
HEADER_TEMPO_MODE = 0x10
HEADER_PROJECT_BPM = 0x12
HEADER_BANK_BPMS = 0x40
HEADER_BANK_LEVELS = 0x6C
HEADER_NAME = 0x80
HEADER_NAME_LENGTH = 32

PAD_COUNT_VALUE = 160
VERSION_VALUE = 0x0300_0000
# Length of pad records plus pad names: 160 x 172 + 160 x 24.
TABLE_SIZE_VALUE = 0x7A80
TEMPO_MODE_VALUE = 0x11
PROJECT_BPM_SCALE = 100
BANK_BPM_SCALE = 200
BANK_LEVEL_MAX = 127
# Banks in the order their level bytes are stored (pairs swapped).
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
PAD_LOOP_MODE = 0x3C
PAD_SPEED = 0x40
PAD_VINYL = 0x44
PAD_PAN = 0x48
PAD_LINK = 0x4C
PAD_BUS = 0x50
PAD_CONST_2 = 0x54
PAD_ATTACK = 0x58
PAD_HOLD = 0x5C
PAD_RELEASE = 0x60

LOOP_ON = 0x7FFF_FFFF
FLAG_ONE_SHOT = 0x20
PAD_BPM_SCALE = 100
# Device defaults for what a kit does not set, and for empty pads.
DEFAULT_VOLUME = 127
DEFAULT_PAD_BPM = 120.0
DEFAULT_SPEED = 10_000
DEFAULT_VINYL = 1
DEFAULT_PAN = 64
DEFAULT_BUS = 1
DEFAULT_ATTACK = 0
DEFAULT_HOLD = 100
DEFAULT_RELEASE = 0
CONST_1_VALUE = 1
CONST_2_VALUE = 2

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
SMP_AUDIO_OFFSET = 512
SMP_SAMPLE_RATE = 48_000
SMP_BITS = 16
