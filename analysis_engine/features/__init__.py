"""Audio features: the data model and decoding; `extractor` (torch) is imported by workers."""

from analysis_engine.features.decode import DecodedAudio, UndecodableAudio, decode_audio
from analysis_engine.features.model import (
    DB_FLOOR,
    EMBEDDING_SIZE,
    FEATURE_VERSION,
    PITCH_CLASSES,
    AudioFeatures,
)

# `extractor` (torch) and `waveform` are modules the analysis worker imports by name;
# `embedding` (numpy) is what similarity search and the embedding backfill read.
__all__ = [
    "DB_FLOOR",
    "EMBEDDING_SIZE",
    "FEATURE_VERSION",
    "PITCH_CLASSES",
    "AudioFeatures",
    "DecodedAudio",
    "UndecodableAudio",
    "decode_audio",
    "embedding",
    "extractor",
    "waveform",
]
