"""The FAISS wrapper: ids are SQL ids, removal works in both modes, prefixes restrict."""

from __future__ import annotations

import numpy as np

from memory.vector_index import VectorIndex


def _unit(rows: int, dims: int = 16, seed: int = 0) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(rows, dims)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _fill(index: VectorIndex, matrix: np.ndarray) -> None:
    n = len(matrix)
    ids = np.arange(100, 100 + n, dtype=np.int64)
    index.add(ids, matrix, ids * 10, ids % 3)


def test_search_returns_the_stored_ids_best_first() -> None:
    matrix = _unit(50)
    index = VectorIndex(16)
    _fill(index, matrix)
    hits = index.search(matrix[7], 3, None)
    assert hits[0].vector_id == 107 and hits[0].item_id == 1070
    assert hits[0].score == np.float32(1.0) or abs(hits[0].score - 1) < 1e-5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_adding_an_id_twice_keeps_one_copy() -> None:
    matrix = _unit(10)
    index = VectorIndex(16)
    _fill(index, matrix)
    _fill(index, matrix)
    assert len(index) == 10


def test_removed_vectors_are_never_returned_in_flat_or_hnsw_mode() -> None:
    matrix = _unit(200)
    for threshold in (None, 50):
        index = VectorIndex(16, hnsw_threshold=threshold)
        _fill(index, matrix)
        assert index.is_hnsw is (threshold is not None)
        index.remove([107, 999_999])
        assert all(h.vector_id != 107 for h in index.search(matrix[7], 200, None))


def test_namespace_restriction_only_returns_vectors_of_those_namespaces() -> None:
    matrix = _unit(90)
    index = VectorIndex(16)
    _fill(index, matrix)
    hits = index.search(matrix[0], 90, {1})
    assert hits and all(h.ns_id == 1 for h in hits)
    assert index.count_in({1}) == len(hits)
