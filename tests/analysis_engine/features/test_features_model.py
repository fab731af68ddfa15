"""The feature record: JSON round trips, validation, and staying free of torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from analysis_engine.features import EMBEDDING_SIZE, AudioFeatures


def _features(**changes: object) -> AudioFeatures:
    values: dict[str, object] = {
        "duration_s": 2.0,
        "sample_rate": 44100,
        "channels": 2,
        "is_loop": True,
        "tempo_bpm": 90.0,
        "tempo_confidence": 0.8,
        "key": "A",
        "mode": "minor",
        "key_confidence": 0.7,
        "rms_dbfs": -18.0,
        "peak_dbfs": -1.0,
        "lufs_integrated": -14.0,
        "spectral_centroid_hz": 1500.0,
        "spectral_bandwidth_hz": 1800.0,
        "spectral_rolloff_hz": 4000.0,
        "spectral_flatness": 0.1,
        "zero_crossing_rate": 0.05,
        "onset_rate": 3.0,
        "harmonic_percussive_ratio": 0.4,
        "mfcc_mean": (1.0,) * 13,
        "mfcc_std": (2.0,) * 13,
        "chroma_mean": (0.5,) * 12,
        "chroma_std": (0.1,) * 12,
        "embedding": (0.125,) * EMBEDDING_SIZE,
    }
    values.update(changes)
    return AudioFeatures(**values)  # type: ignore[arg-type]


def test_features_survive_a_json_round_trip_unchanged() -> None:
    features = _features()
    text = json.dumps(features.to_dict(), allow_nan=False)
    assert AudioFeatures.from_dict(json.loads(text)) == features


def test_whole_number_floats_from_json_come_back_as_floats() -> None:
    data = _features(tempo_bpm=120.0).to_dict()
    data["tempo_bpm"] = 120
    restored = AudioFeatures.from_dict(data)
    assert isinstance(restored.tempo_bpm, float)


def test_silence_fields_may_be_none_in_the_dict() -> None:
    features = _features(tempo_bpm=None, key=None, mode=None)
    restored = AudioFeatures.from_dict(json.loads(json.dumps(features.to_dict())))
    assert restored.tempo_bpm is None
    assert restored.key is None


def test_unknown_keys_are_ignored_but_missing_ones_are_refused() -> None:
    data = _features().to_dict()
    data["from_the_future"] = 1
    assert AudioFeatures.from_dict(data) == _features()
    del data["peak_dbfs"]
    with pytest.raises(ValueError, match="peak_dbfs"):
        AudioFeatures.from_dict(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rms_dbfs", float("-inf")),
        ("spectral_flatness", float("nan")),
        ("mfcc_mean", (1.0,) * 12),
        ("embedding", (float("nan"),) * EMBEDDING_SIZE),
        ("key", "H"),
        ("mode", "dorian"),
    ],
)
def test_invalid_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        _features(**{field: value})


def test_the_model_and_decoder_import_without_torch() -> None:
    # Block torch outright: the API services must be able to run where it is not installed.
    script = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("torch", "torchaudio"):
                    raise ImportError("torch is blocked")
                return None
        sys.meta_path.insert(0, Block())
        import analysis_engine
        import analysis_engine.features
        import analysis_engine.features.model
        import analysis_engine.features.embedding
        from analysis_engine.features import decode_audio, AudioFeatures
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
