"""Similar sounds: ours beside the classical baseline, cross-validated, in one run.

    .venv/bin/python benchmarks/bench_similar.py [--folds 5] [--latency-samples 50000]

The corpus is benchmarks/similar_corpus.py (band loops through six instrument sets, drum loops
from eight hydrogen kits, one-shots, textures; nothing reserved for judging). Every fold leaves
out whole groups: a band loop's groove family, a drum loop's kit, a one-shot's kit or sound,
the textures' source. The metric (benchmarks/fit_similar.py) is fitted on the other folds;
queries come from the left-out fold and search the whole corpus, as a producer's library.
Ours ranks with analysis_engine.search.ranking (the engine's own code: role first, then the
learned similarity with band loops' tempo and key bonuses, drum loops' tempo interleave); tempos
and keys are the engine's detections.
The baseline is cosine over z-scored mean/std of 20 MFCCs, 12 chroma and spectral centroid,
bandwidth and rolloff (librosa), over everything, no role. "random" is the expectation.

Columns, precision@10 and nDCG@10 over the loop queries: same kind (drum loop, band loop),
same instrument source (instrument set or kit), same groove family, tempo-compatible (truth
within 5 % at 1x, 1/2x or 2x), key-compatible (band queries: truth key the same, relative or
a fifth away). One-shots: same kind and same instrument class. Then drum and band loop queries
apart, by test fold: where each lands between the same source and a mixable tempo. Latency: the
ranking of one query over a seeded library held in memory, as the engine holds it (no database
round trip).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import pickle
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_similar import (
    BAND_SHARES,
    BAND_TEMPO_WEIGHTS,
    BOTH_WEIGHTS,
    DRUM_TEMPO_RATES,
    KEY_WEIGHTS,
    OUT,
    RHYTHM_WEIGHTS,
    SHRINKAGES,
    Data,
    fit_model,
    load_data,
)

from analysis_engine.features.descriptor import Descriptor
from analysis_engine.features.embedding import METRIC_DIMS, decide_role, embed
from analysis_engine.music import Key, compatible_keys
from analysis_engine.search.ranking import (
    key_grades,
    rank_page,
    tempo_matches,
    top,
    weights_for,
)

K = 10
CRITERIA = ("kind", "instrument", "family", "tempo", "key")
GOALS = {"kind": 0.99, "instrument": 0.50, "tempo": 0.60, "key": 0.60}


def _folds(data: Data, count: int, within: np.ndarray | None = None) -> list[np.ndarray]:
    """Test folds (clip indices) leaving out whole groups, over every clip or over `within`."""
    from sklearn.model_selection import GroupKFold

    index = np.arange(len(data.clips)) if within is None else np.asarray(within)
    groups = [data.groups()[i] for i in index]
    splitter = GroupKFold(n_splits=min(count, len(set(groups))))
    return [index[test] for _, test in splitter.split(index, groups=groups)]


def _descriptor(data: Data, i: int) -> Descriptor:
    return Descriptor(data.timbre[i], data.rhythm[i], data.brightness[i], data.density[i])


def _embed_all(data: Data, model: dict[str, Any]) -> tuple[np.ndarray, list[str], list[str]]:
    vectors, roles, classes = [], [], []
    for i in range(len(data.clips)):
        d = _descriptor(data, i)
        flags = {"has_tempo": bool(data.has_tempo[i]), "has_key": bool(data.key_code[i] >= 0)}
        vectors.append(embed(d, **flags, model=model))
        role, cls = decide_role(d, **flags, model=model)
        roles.append(role)
        classes.append(cls)
    return np.array(vectors), roles, classes


_TRUTHS: dict[tuple[int, int], dict[str, np.ndarray]] = {}


def _truth(data: Data, q: int) -> dict[str, np.ndarray]:
    # The weight search scores every query hundreds of times: its truth is worth keeping.
    cached = _TRUTHS.get((id(data), q))
    if cached is None:
        cached = _TRUTHS[(id(data), q)] = _measure_truth(data, q)
    return cached


def _measure_truth(data: Data, q: int) -> dict[str, np.ndarray]:
    clips = data.clips
    query = clips[q]
    n = len(clips)
    truth = {
        "kind": np.array([c.role == query.role for c in clips]),
        "instrument": np.array([c.source == query.source for c in clips]),
        "family": np.array([c.family == query.family and c.role == query.role for c in clips]),
        "class": np.array([c.cls == query.cls and c.role == query.role for c in clips]),
    }
    bpm = np.array([c.bpm if c.bpm > 0 else np.nan for c in clips])
    truth["tempo"] = tempo_matches(query.bpm or None, bpm, 5.0) != 0
    if query.key is not None and query.mode is not None:
        names = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
        target = Key(names.index(query.key), query.mode == "minor")
        good = {k.code for k in compatible_keys(target, fifths=True)}
        truth["key"] = np.array(
            [
                c.key is not None
                and c.mode is not None
                and names.index(c.key) + 12 * (c.mode == "minor") in good
                for c in clips
            ]
        )
    else:
        truth["key"] = np.zeros(n, dtype=bool)
    return truth


def _scores(ranked: np.ndarray, relevant: np.ndarray) -> tuple[float, float]:
    hits = relevant[ranked[:K]].astype(float)
    precision = float(hits.sum()) / K
    gains = 1.0 / np.log2(np.arange(2, K + 2))
    ideal = float(gains[: min(K, int(relevant.sum()))].sum())
    return precision, (float((hits * gains[: hits.size]).sum()) / ideal) if ideal else 0.0


Ranker = Callable[[int, np.ndarray], np.ndarray]


def _evaluate(
    data: Data, folds: list[np.ndarray], rankers: list[Ranker], library: np.ndarray | None = None
) -> dict[str, Any]:
    # rankers[f](q, keep) -> candidate indices best first, for a query of fold f. The library
    # searched is every clip, or only `library` (a mask) when choosing weights inside a fold.
    # "by_role": precision@10 of drum and of band loop queries apart, per test fold: where the
    # trade between the same source and a mixable tempo lands (the pooled goals hide it).
    table: dict[str, list[tuple[float, float]]] = {c: [] for c in (*CRITERIA, "class")}
    kinds: list[float] = []
    by_role: dict[tuple[str, str], list[list[float]]] = {}
    for fold, test in enumerate(folds):
        for q in test:
            clip = data.clips[q]
            keep = np.ones(len(data.clips), dtype=bool) if library is None else library.copy()
            keep[q] = False
            ranked = rankers[fold](int(q), keep)
            truth = _truth(data, int(q))
            for name in ("kind", "instrument"):
                if clip.role in ("band_loop", "drum_loop"):
                    table[name].append(_scores(ranked, truth[name] & keep))
            if clip.role in ("band_loop", "drum_loop"):
                table["family"].append(_scores(ranked, truth["family"] & keep))
                table["tempo"].append(_scores(ranked, truth["tempo"] & keep))
                for name in ("instrument", "tempo"):
                    cell = by_role.setdefault((clip.role, name), [[] for _ in folds])
                    cell[fold].append(table[name][-1][0])
            if clip.role == "band_loop":
                table["key"].append(_scores(ranked, truth["key"] & keep))
                by_role.setdefault((clip.role, "key"), [[] for _ in folds])[fold].append(
                    table["key"][-1][0]
                )
            if clip.role == "one_shot":
                table["class"].append(_scores(ranked, truth["class"] & keep))
                kinds.append(_scores(ranked, truth["kind"] & keep)[0])
    out: dict[str, Any] = {
        name: tuple(float(np.mean([v[j] for v in values])) for j in (0, 1))
        for name, values in table.items()
    }
    out["shot_kind"] = float(np.mean(kinds)) if kinds else 0.0
    out["by_role"] = by_role
    return out


def _random(data: Data) -> dict[str, Any]:
    table: dict[str, list[float]] = {c: [] for c in (*CRITERIA, "class")}
    for q, clip in enumerate(data.clips):
        keep = np.ones(len(data.clips), dtype=bool)
        keep[q] = False
        truth = _truth(data, q)
        share = {k: float((v & keep).sum() / keep.sum()) for k, v in truth.items()}
        if clip.role in ("band_loop", "drum_loop"):
            for name in ("kind", "instrument", "family", "tempo"):
                table[name].append(share[name])
        if clip.role == "band_loop":
            table["key"].append(share["key"])
        if clip.role == "one_shot":
            table["class"].append(share["class"])
    return {name: (float(np.mean(v)), float("nan")) for name, v in table.items()}


def _our_ranker(data: Data, model: dict[str, Any], embedded: Any = None) -> Ranker:
    vectors, roles, classes = embedded or _embed_all(data, model)
    metric = vectors[:, :METRIC_DIMS]
    role_array = np.array(roles)
    class_array = np.array(classes)

    def rank(q: int, keep: np.ndarray) -> np.ndarray:
        similarity = metric @ metric[q]
        bpm = data.bpm[q]
        return rank_page(
            similarity,
            keep,
            K,
            same_role=role_array == roles[q],
            same_class=(class_array == classes[q]) if roles[q] == "one_shot" else None,
            tempo=tempo_matches(None if np.isnan(bpm) else float(bpm), data.bpm, 5.0),
            key_grade=key_grades(int(data.key_code[q]), data.key_code),
            weights=weights_for(roles[q], model["ranking"]),
        )

    return rank


def _baseline_features(data: Data) -> np.ndarray:
    import librosa

    cache = OUT / "baseline.pkl"
    stored: dict[str, np.ndarray] = pickle.loads(cache.read_bytes()) if cache.exists() else {}
    for clip in data.clips:
        if clip.name in stored:
            continue
        y, sr = librosa.load(clip.path, sr=22050, mono=True, duration=30.0)
        parts = [
            librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20),
            librosa.feature.chroma_stft(y=y, sr=sr),
            librosa.feature.spectral_centroid(y=y, sr=sr),
            librosa.feature.spectral_bandwidth(y=y, sr=sr),
            librosa.feature.spectral_rolloff(y=y, sr=sr),
        ]
        stored[clip.name] = np.concatenate(
            [np.concatenate([p.mean(axis=1), p.std(axis=1)]) for p in parts]
        )
    cache.write_bytes(pickle.dumps(stored))
    features = np.array([stored[c.name] for c in data.clips])
    z = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-9)
    unit: np.ndarray = z / np.linalg.norm(z, axis=1, keepdims=True)
    return unit


def _baseline_ranker(unit: np.ndarray) -> Ranker:
    def rank(q: int, keep: np.ndarray) -> np.ndarray:
        return top((unit @ unit[q]).astype(np.float64), keep, K)

    return rank


def _objective(result: dict[str, Any]) -> float:
    # The goal furthest from being met counts most; the sum breaks ties.
    ratios = [result[name][0] / goal for name, goal in GOALS.items() if name != "kind"]
    return min(ratios) + 0.1 * sum(ratios)


def ranking(
    drum_rate: float, band_tempo: float, band_key: float, both: float = 0.0
) -> dict[str, Any]:
    """The ranking weights by the query's role, as the model ships them: drum loops interleave
    those at a mixable tempo at a rate, band loops add bonuses for tempo and key."""
    return {
        "drum_loop": {"tempo_rate": drum_rate},
        "band_loop": {"tempo": band_tempo, "key": band_key, "both": both},
    }


def choose_weights(
    data: Data, train: np.ndarray, folds: int = 4
) -> tuple[float, float, float, dict[str, Any]]:
    """The LDA's shrinkage, the rhythm share, band loops' own share and the ranking bonuses with
    the best score by cross-validation inside the clips `train` (whole groups left out again;
    queries search the training clips only), so the clips a model is judged on never choose
    its weights."""
    split = _folds(data, folds, within=train)
    library = np.zeros(len(data.clips), dtype=bool)
    library[train] = True
    none = ranking(0.0, 0.0, 0.0)
    best: tuple[float, float, float, float, dict[str, Any]] = (-1.0, 0.0, 0.0, 0.0, none)
    for shrinkage in SHRINKAGES:
        base = [
            fit_model(data, np.setdiff1d(train, test), rhythm_weight=0.0, ranking=none,
                      shrinkage=shrinkage)
            for test in split
        ]  # fmt: skip
        for rhythm, share in itertools.product(RHYTHM_WEIGHTS, BAND_SHARES):
            score, bonuses = _best_bonuses(
                data, split, library, [_with_shares(m, rhythm, share) for m in base]
            )
            if score > best[0]:
                best = (score, shrinkage, rhythm, share, bonuses)
    return best[1], best[2], best[3], best[4]


def _best_bonuses(
    data: Data, split: list[np.ndarray], library: np.ndarray, models: list[dict[str, Any]]
) -> tuple[float, dict[str, Any]]:
    """The ranking bonuses that score best with these per-fold models, and that score."""
    best: tuple[float, dict[str, Any]] = (-1.0, ranking(0.0, 0.0, 0.0))
    embedded = [_embed_all(data, m) for m in models]
    for drum_rate, band_tempo, band_key, both in itertools.product(
        DRUM_TEMPO_RATES, BAND_TEMPO_WEIGHTS, KEY_WEIGHTS, BOTH_WEIGHTS
    ):
        bonuses = ranking(drum_rate, band_tempo, band_key, both)
        rankers = [
            _our_ranker(data, m | {"ranking": bonuses}, e)
            for m, e in zip(models, embedded, strict=True)
        ]
        score = _objective(_evaluate(data, split, rankers, library))
        if score > best[0]:
            best = (score, bonuses)
    return best


def _with_shares(model: dict[str, Any], rhythm: float, band_share: float) -> dict[str, Any]:
    own = {role: p | {"share": band_share} for role, p in model["role_projections"].items()}
    return model | {"rhythm_weight": rhythm, "role_projections": own}


def nested_models(data: Data, split: list[np.ndarray]) -> list[dict[str, Any]]:
    """Per outer fold, the model fitted on the other folds with weights chosen inside them."""
    models = []
    for test in split:
        train = np.setdiff1d(np.arange(len(data.clips)), test)
        shrinkage, rhythm, share, bonuses = choose_weights(data, train)
        models.append(
            fit_model(data, train, rhythm_weight=rhythm, ranking=bonuses, band_share=share,
                      shrinkage=shrinkage)
        )  # fmt: skip
    return models


def _latency(samples: int, requests: int = 200) -> tuple[float, float]:
    """p50 and p95 ms of the engine's ranking (similar.rank_library) of one query over a seeded
    library of `samples` current-layout embeddings held in memory, as the engine caches it."""
    import uuid

    from analysis_engine.features import embedding
    from analysis_engine.search.library import Library
    from analysis_engine.search.similar import Query, SimilarFilters, rank_library

    rng = np.random.default_rng(24)
    roles = rng.choice(["drum_loop", "band_loop", "one_shot", "texture"], samples)
    metric = rng.standard_normal((samples, METRIC_DIMS))
    vectors = np.array(
        [embedding.compose(m, role=str(r), one_shot_class="kick" if r == "one_shot" else "")
         for m, r in zip(metric, roles, strict=True)],
        dtype=np.float32,
    )  # fmt: skip
    parsed = embedding.read_roles(vectors)
    ids = tuple(uuid.UUID(int=i + 1) for i in range(samples))
    bpm = np.where(rng.uniform(size=samples) < 0.6, rng.uniform(60, 180, samples), np.nan)
    library = Library(
        ids=ids,
        rows={sample_id: i for i, sample_id in enumerate(ids)},
        vectors=np.ascontiguousarray(embedding.metric_only(vectors, parsed)),
        bpm=bpm,
        key_code=np.where(rng.uniform(size=samples) < 0.5, rng.integers(0, 24, samples), -1)
        .astype(np.int16),
        loop=rng.integers(0, 2, samples).astype(np.int8),
        features_version=(),
        samples_version=(),
        roles=parsed,
    )  # fmt: skip
    timings = []
    for request in range(requests):
        q = int(rng.integers(samples))
        query = Query(
            library.vectors[q], embedding.read_layout(vectors[q]),
            None if np.isnan(bpm[q]) else float(bpm[q]), None,
        )  # fmt: skip
        filters = SimilarFilters(key_compatible=request % 2 == 0, include_half_double=True)
        start = time.perf_counter()
        rank_library(library, query, target_id=ids[q], filters=filters)
        timings.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 95))


def main() -> None:
    """Print the table (and the latency line) the README shows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency-samples", type=int, default=50_000)
    args = parser.parse_args()
    data = load_data()
    split = _folds(data, args.folds)
    models = nested_models(data, split)
    ours = _evaluate(data, split, [_our_ranker(data, model) for model in models])
    baseline_ranker = _baseline_ranker(_baseline_features(data))
    baseline = _evaluate(data, split, [baseline_ranker] * len(split))
    chance = _random(data)
    counts = {role: sum(c.role == role for c in data.clips) for role in
              ("band_loop", "drum_loop", "one_shot", "texture")}  # fmt: skip
    print(
        f"similar sounds, {datetime.date.today()} on {platform.machine()} "
        f"({platform.processor() or platform.platform()}), python {platform.python_version()}"
    )
    print(
        f"corpus: {len(data.clips)} clips {counts}; {args.folds} folds leaving out whole groups; "
        "weights chosen inside each training fold (nested):"
    )
    for fold, model in enumerate(models):
        share = model["role_projections"]["band_loop"]["share"]
        print(
            f"  fold {fold}: shrinkage {model['shrinkage']}, rhythm share "
            f"{model['rhythm_weight']}, band loops' own share "
            f"{share}, bonuses {model['ranking']}"
        )
    header = "| | same kind | same instrument source | same groove family | tempo-compatible |"
    print(header + " key-compatible (band) | one-shots: same kind | one-shots: same class |")
    print("|---|---|---|---|---|---|---|---|")
    for name, result in (("ours, nested cross-validation", ours), ("classical baseline", baseline)):
        cells = " | ".join(f"{result[c][0]:.2f} ({result[c][1]:.2f})" for c in CRITERIA)
        print(f"| {name} | {cells} | {result['shot_kind']:.2f} | {result['class'][0]:.2f} |")
    cells = " | ".join(f"{chance[c][0]:.2f}" for c in CRITERIA)
    print(f"| random | {cells} | | {chance['class'][0]:.2f} |")
    print("cells: precision@10 (nDCG@10), loop queries unless marked")
    met = [
        f"{c} {ours[c][0]:.3f} {'met' if ours[c][0] >= g else 'NOT met'} (>= {g})"
        for c, g in GOALS.items()
    ]
    print("goals: " + ", ".join(met))
    print("by role (precision@10; by test fold):")
    for (role, name), values in sorted(ours["by_role"].items()):
        by_fold = " ".join(f"{np.mean(v):.2f}" if v else "-" for v in values)
        print(f"  {role} queries, {name}: {np.mean(np.concatenate(values)):.3f} ({by_fold})")
    p50, p95 = _latency(args.latency_samples)
    print(
        f"ranking latency at {args.latency_samples} samples (the engine's rank_library over a "
        f"seeded in-memory library, half with filters; no database round trip): "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
