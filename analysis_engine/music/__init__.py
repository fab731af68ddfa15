"""Music theory the engine shares: key names and their one spelling, Camelot numbers, which
keys and tempos mix (relative, fifths, half and double time)."""

from analysis_engine.music.keys import (
    KEY_MATCHES,
    KEY_RELATIONS,
    KEY_SPELLING,
    TEMPO_RELATIONS,
    Key,
    camelot_of,
    compatible_keys,
    fifth_keys,
    key_relation,
    key_spellings,
    keys_matching,
    parallel_key,
    parse_key,
    relative_key,
    spell_key,
    tempo_relation,
    tempo_windows,
)

__all__ = [
    "KEY_MATCHES",
    "KEY_RELATIONS",
    "KEY_SPELLING",
    "TEMPO_RELATIONS",
    "Key",
    "camelot_of",
    "compatible_keys",
    "fifth_keys",
    "key_relation",
    "key_spellings",
    "keys_matching",
    "parallel_key",
    "parse_key",
    "relative_key",
    "spell_key",
    "tempo_relation",
    "tempo_windows",
]
