"""Audio features: the data model and decoding; `extractor` (torch) is imported by workers."""

from analysis_engine.features.decode import DecodedAudio, UndecodableAudio, decode_audio
from analysis_engine.features.model import EMBEDDING_SIZE, FEATURE_VERSION, AudioFeatures

__all__ = [
    "EMBEDDING_SIZE",
    "FEATURE_VERSION",
    "AudioFeatures",
    "DecodedAudio",
    "UndecodableAudio",
    "decode_audio",
]
