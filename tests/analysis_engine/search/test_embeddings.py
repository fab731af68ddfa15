"""Embeddings as Postgres sends them (`array_send`), turned into unit vectors for ranking."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from analysis_engine.features import EMBEDDING_SIZE
from analysis_engine.search.library import parse_embeddings

FLOAT4_OID = 700


def array_bytes(values: list[float], *, length: int | None = None, nulls: bool = False) -> bytes:
    """A one-dimensional real[] in Postgres's binary array format."""
    count = len(values) if length is None else length
    head = struct.pack(">iiiii", 1, int(nulls), FLOAT4_OID, count, 1)
    return head + b"".join(struct.pack(">if", 4, v) for v in values)


def test_well_formed_embeddings_come_back_as_unit_vectors() -> None:
    first = [3.0, 4.0] + [0.0] * (EMBEDDING_SIZE - 2)
    second = [0.0] * (EMBEDDING_SIZE - 1) + [-2.0]

    vectors, valid = parse_embeddings([array_bytes(first), array_bytes(second)])

    assert valid.tolist() == [True, True]
    assert vectors[0, :2] == pytest.approx([0.6, 0.8])
    assert vectors[1, -1] == pytest.approx(-1.0)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0])


def test_malformed_or_non_finite_embeddings_are_marked_and_score_nothing() -> None:
    good = [1.0] * EMBEDDING_SIZE
    blobs = [
        array_bytes(good),
        array_bytes([1.0] * (EMBEDDING_SIZE - 1)),
        array_bytes([float("nan")] + [1.0] * (EMBEDDING_SIZE - 1)),
        array_bytes(good, nulls=True),
        b"",
        array_bytes([0.0] * EMBEDDING_SIZE),
    ]

    vectors, valid = parse_embeddings(blobs)

    assert valid.tolist() == [True, False, False, False, False, True]
    assert not vectors[1:5].any()
    assert not vectors[5].any()


def test_an_empty_library_parses_to_no_vectors() -> None:
    vectors, valid = parse_embeddings([])

    assert vectors.shape == (0, EMBEDDING_SIZE)
    assert valid.shape == (0,)
