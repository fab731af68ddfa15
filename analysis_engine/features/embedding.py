"""The fixed-size similarity embedding: a learned metric over `descriptor`, plus the sound's role.

Layout (EMBEDDING_SIZE = 64, unit length as a whole):

- [0, 40)  timbre: the z-scored timbre descriptor through a projection fitted on our labelled
  corpus (benchmarks/fit_similar.py: shrinkage LDA, cross-validated leaving out whole kits,
  instrument sets and groove families); for band loops the last ROLE_DIMS entries carry a
  projection fitted on band loops alone (instrument sets), weighted by a fitted share;
- [40, 56) rhythm: the z-scored, tempo-octave-folded onset pattern (zeros without a tempo);
- [56, 64) facts search reads back by their ratio to a marker in slot 63 (so they survive any
  rescaling): the role, the one-shot's instrument class, brightness, onset density and the
  model's revision.

The dot product of two embeddings' first 56 entries is their learned similarity. Embeddings of
the first layout (statistics with fixed scaling) have no marker: `read_layout` says so, and
`sp404 admin backfill-embeddings` rewrites them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis_engine.features.descriptor import RHYTHM_SIZE, Descriptor, Measurement, describe
from analysis_engine.features.model import EMBEDDING_SIZE

__all__ = [
    "EMBEDDING_LAYOUT",
    "EMBEDDING_SIZE",
    "METRIC_DIMS",
    "ONE_SHOT_CLASSES",
    "ROLES",
    "ROLE_DIMS",
    "SHARED_DIMS",
    "EmbeddingInputs",
    "Layout",
    "Roles",
    "build_embedding",
    "compose",
    "decide_role",
    "embed",
    "metric_only",
    "model_revision",
    "read_layout",
    "read_roles",
    "role_flags",
    "similarity_model",
]

EMBEDDING_LAYOUT = 2
TIMBRE_DIMS = 40
# The last ROLE_DIMS timbre entries hold a projection fitted on one role's clips alone (band
# loops: what tells instrument sets apart inside a band mix), zeros for other roles; the first
# ones the projection shared by every role.
ROLE_DIMS = 5
SHARED_DIMS = TIMBRE_DIMS - ROLE_DIMS
METRIC_DIMS = TIMBRE_DIMS + RHYTHM_SIZE
ROLES = ("unknown", "drum_loop", "band_loop", "one_shot", "texture")
ONE_SHOT_CLASSES = (
    "",
    "kick",
    "snare",
    "hat",
    "clap",
    "tom",
    "bass",
    "keys",
    "lead",
    "pluck",
)
_ROLE_SLOT, _CLASS_SLOT, _BRIGHT_SLOT, _DENSITY_SLOT, _REVISION_SLOT, _MARKER_SLOT = (
    56, 57, 58, 59, 60, 63,
)  # fmt: skip
_MARKER = 0.05
_STEP = 0.05 / 16  # one role or class step, as a share of the marker
_FIGURE_SCALE = 0.005  # brightness (octaves re 1 kHz) and density (onsets/s / 4)
Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class EmbeddingInputs:
    """What an embedding is made from: the descriptor's measurement of the analysed audio
    (extractor.measure_similarity) and the analysis's own decisions."""

    measurement: Measurement
    tempo_bpm: float | None
    tonality: float
    harmonic_percussive_ratio: float
    has_key: bool


@dataclass(frozen=True, slots=True)
class Layout:
    """What an embedding says besides its vector: layout 1 (old) has no role."""

    layout: int
    role: str
    one_shot_class: str
    brightness: float
    density: float
    revision: int = 0


@lru_cache(maxsize=1)
def similarity_model() -> dict[str, Any]:
    """The fitted metric shipped with the package (benchmarks/fit_similar.py writes it)."""
    text = resources.files("analysis_engine.features").joinpath("similarity_model.json")
    model: dict[str, Any] = json.loads(text.read_text())
    return model


def model_revision() -> int:
    """The shipped model's revision: embeddings of another one are rebuilt by the backfill."""
    return int(similarity_model().get("revision", 0))


def build_embedding(inputs: EmbeddingInputs) -> tuple[float, ...]:
    """A unit vector whose first METRIC_DIMS entries' dot product ranks similar sounds first."""
    descriptor = describe(
        inputs.measurement,
        tempo_bpm=inputs.tempo_bpm,
        tonality=inputs.tonality,
        harmonic_ratio=inputs.harmonic_percussive_ratio,
    )
    return embed(
        descriptor,
        has_tempo=inputs.tempo_bpm is not None,
        has_key=inputs.has_key,
        model=similarity_model(),
    )


def embed(
    descriptor: Descriptor, *, has_tempo: bool, has_key: bool, model: dict[str, Any]
) -> tuple[float, ...]:
    """The embedding of a descriptor under a fitted model (the benchmark passes its own fits)."""
    role, cls = decide_role(descriptor, has_tempo=has_tempo, has_key=has_key, model=model)
    timbre, rhythm = metric_parts(descriptor, model, role=role)
    return compose(
        np.concatenate([timbre, rhythm]),
        role=role,
        one_shot_class=cls,
        brightness=descriptor.brightness,
        density=descriptor.density,
        revision=int(model.get("revision", 0)),
    )


def compose(
    metric: Sequence[float] | Vector,
    *,
    role: str,
    one_shot_class: str = "",
    brightness: float = 0.0,
    density: float = 0.0,
    revision: int = 0,
) -> tuple[float, ...]:
    """The unit embedding of a metric vector (METRIC_DIMS entries) and the facts it carries."""
    meta = np.zeros(EMBEDDING_SIZE - METRIC_DIMS)
    meta[_ROLE_SLOT - METRIC_DIMS] = _STEP * ROLES.index(role)
    meta[_CLASS_SLOT - METRIC_DIMS] = _STEP * ONE_SHOT_CLASSES.index(one_shot_class)
    meta[_BRIGHT_SLOT - METRIC_DIMS] = _FIGURE_SCALE * float(np.clip(brightness, -8, 8))
    meta[_DENSITY_SLOT - METRIC_DIMS] = _FIGURE_SCALE * min(density / 4.0, 8.0)
    meta[_REVISION_SLOT - METRIC_DIMS] = _STEP * revision
    meta[_MARKER_SLOT - METRIC_DIMS] = _MARKER
    metric = np.asarray(metric, dtype=np.float64)
    norm = float(np.linalg.norm(metric))
    if not math.isfinite(norm) or norm < 1e-12:
        metric = np.zeros(METRIC_DIMS)
        metric[0] = 1.0
        norm = 1.0
    room = math.sqrt(1.0 - float(meta @ meta))
    vector = np.concatenate([metric / norm * room, meta])
    return tuple(float(v) for v in vector)


def metric_parts(
    descriptor: Descriptor, model: dict[str, Any], *, role: str = "unknown"
) -> tuple[Vector, Vector]:
    """The weighted timbre projection and rhythm pattern, before they share one unit vector."""
    z = _z_timbre(descriptor, model)
    timbre = _unit(z @ np.asarray(model["projection"]))
    own = model.get("role_projections", {}).get(role)
    if own is not None:
        # Two loops of this role compare by (1 - share) x the shared projection's cosine plus
        # share x their own role's; against any other role only the shared part counts.
        share = float(own["share"])
        timbre = np.concatenate(
            [
                timbre[:SHARED_DIMS] * math.sqrt(1.0 - share),
                _unit(z @ np.asarray(own["projection"])) * math.sqrt(share),
            ]
        )
    rhythm = np.zeros(RHYTHM_SIZE)
    if np.any(descriptor.rhythm):
        rz = (descriptor.rhythm - np.asarray(model["rhythm_mean"])) / np.asarray(
            model["rhythm_std"]
        )
        r_norm = float(np.linalg.norm(rz))
        rhythm = rz / r_norm if r_norm > 1e-12 else rz
    weight = float(model["rhythm_weight"])
    return timbre * math.sqrt(1.0 - weight), rhythm * math.sqrt(weight)


def _unit(vector: Vector) -> Vector:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-12 else vector


def decide_role(
    descriptor: Descriptor, *, has_tempo: bool, has_key: bool, model: dict[str, Any]
) -> tuple[str, str]:
    """(role, one-shot class): drum loop, band loop, one-shot (with its class) or texture."""
    z = _z_timbre(descriptor, model)
    features = np.concatenate([z, role_flags(has_tempo=has_tempo, has_key=has_key)])
    role = str(model["roles"][_argmax(model["role_classifier"], features)])
    cls = ""
    if role == "one_shot":
        cls = str(model["classes"][_argmax(model["class_classifier"], z)])
    return role, cls


def role_flags(*, has_tempo: bool, has_key: bool) -> Vector:
    """The analysis's own decisions the role classifier reads besides timbre (+1 yes, -1 no)."""
    return np.array([1.0 if has_tempo else -1.0, 1.0 if has_key else -1.0]) * 3.0


def read_layout(vector: Sequence[float] | Vector) -> Layout:
    """The role and figures an embedding carries (layout 1: none)."""
    marker = float(vector[_MARKER_SLOT])
    if abs(marker) < 1e-6:
        return Layout(1, "unknown", "", 0.0, 0.0)
    ratio = _MARKER / marker
    role = round(float(vector[_ROLE_SLOT]) * ratio / _STEP)
    cls = round(float(vector[_CLASS_SLOT]) * ratio / _STEP)
    return Layout(
        EMBEDDING_LAYOUT,
        ROLES[role] if 0 <= role < len(ROLES) else "unknown",
        ONE_SHOT_CLASSES[cls] if 0 <= cls < len(ONE_SHOT_CLASSES) else "",
        float(vector[_BRIGHT_SLOT]) * ratio / _FIGURE_SCALE,
        float(vector[_DENSITY_SLOT]) * ratio / _FIGURE_SCALE * 4.0,
        round(float(vector[_REVISION_SLOT]) * ratio / _STEP),
    )


def _z_timbre(descriptor: Descriptor, model: dict[str, Any]) -> Vector:
    z = (descriptor.timbre - np.asarray(model["timbre_mean"])) / np.asarray(model["timbre_std"])
    weighted: Vector = np.clip(z, -6.0, 6.0) * np.asarray(model["timbre_weights"])
    return weighted


def _argmax(classifier: dict[str, Any], features: Vector) -> int:
    scores = np.asarray(classifier["coef"]) @ features + np.asarray(classifier["intercept"])
    return int(np.argmax(scores))


@dataclass(frozen=True, slots=True)
class Roles:
    """What a library's embeddings say besides their vectors, one entry per embedding."""

    layout: npt.NDArray[np.int8]
    role: npt.NDArray[np.int8]
    one_shot_class: npt.NDArray[np.int8]
    brightness: npt.NDArray[np.float32]
    # The similarity model's revision that built each embedding (0 for layout 1).
    revision: npt.NDArray[np.int16]

    @classmethod
    def empty(cls) -> Roles:
        """No embeddings."""
        nothing = np.zeros(0, dtype=np.int8)
        return cls(
            nothing, nothing, nothing, np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int16)
        )


def read_roles(vectors: npt.NDArray[np.float32]) -> Roles:
    """`read_layout` of every row at once (layout 1 rows: role "unknown")."""
    marker = vectors[:, _MARKER_SLOT].astype(np.float64)
    current = np.abs(marker) > 1e-6
    ratio = np.divide(_MARKER, marker, out=np.zeros_like(marker), where=current)
    role = np.rint(vectors[:, _ROLE_SLOT] * ratio / _STEP)
    cls = np.rint(vectors[:, _CLASS_SLOT] * ratio / _STEP)
    role = np.where((role >= 0) & (role < len(ROLES)), role, 0)
    cls = np.where((cls >= 0) & (cls < len(ONE_SHOT_CLASSES)), cls, 0)
    revision = np.where(current, np.rint(vectors[:, _REVISION_SLOT] * ratio / _STEP), 0)
    return Roles(
        layout=np.where(current, EMBEDDING_LAYOUT, 1).astype(np.int8),
        role=role.astype(np.int8),
        one_shot_class=cls.astype(np.int8),
        brightness=(vectors[:, _BRIGHT_SLOT] * ratio / _FIGURE_SCALE).astype(np.float32),
        revision=revision.astype(np.int16),
    )


def metric_only(vectors: npt.NDArray[np.float32], roles: Roles) -> npt.NDArray[np.float32]:
    """The vectors with the facts of layout-2 rows zeroed, so a dot product is the metric."""
    out = vectors.copy()
    out[roles.layout == EMBEDDING_LAYOUT, METRIC_DIMS:] = 0.0
    return out
