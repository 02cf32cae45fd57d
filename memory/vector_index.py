"""The FAISS side of the store: vectors labelled by their SQL id, exact by default, HNSW if big.

Vectors arrive L2-normalised, so inner product is cosine similarity (InMemoryStore's score).
Exact search is `IndexIDMap(IndexFlatIP)`. Above `hnsw_threshold` vectors the index becomes
`IndexIDMap2(IndexHNSWFlat)` (approximate, sub-linear). HNSW cannot remove vectors, so removals
there are masked with an ID selector and the graph is rebuilt once a fifth of it is dead.

Each vector also remembers its item id and namespace id, so a search can be restricted to a
namespace prefix with an `IDSelectorBatch` when the prefix holds a small part of the index,
and so hits can be grouped per item without asking SQL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import faiss
import numpy as np

_REBUILD_DEAD_FRACTION = 0.2

# One query at a time is faster on one OpenMP thread: measured here (2 shared cores), a
# flat search over 10k x 384 took 17 ms with 2 threads (spin-waiting on busy cores) and
# 1.1 ms with 1. Process-wide, but this module is the process's only FAISS user.
faiss.omp_set_num_threads(1)


@dataclass(frozen=True)
class Hit:
    """One vector found by a search: its item, namespace and cosine score."""

    vector_id: int
    item_id: int
    ns_id: int
    score: float


class VectorIndex:
    """Thread-safe FAISS index over (vector id -> item id, namespace id)."""

    def __init__(
        self,
        dims: int,
        *,
        hnsw_threshold: int | None = None,
        hnsw_m: int = 32,
        hnsw_ef_construction: int = 64,
        hnsw_ef_search: int = 96,
    ) -> None:
        self.dims = dims
        self.hnsw_threshold = hnsw_threshold
        self.hnsw_m = hnsw_m
        self.hnsw_ef_construction = hnsw_ef_construction
        self.hnsw_ef_search = hnsw_ef_search
        self.lock = threading.RLock()
        self._index: faiss.IndexIDMap = faiss.IndexIDMap(faiss.IndexFlatIP(dims))
        self._hnsw = False
        self._dead: set[int] = set()
        self._owner: dict[int, tuple[int, int]] = {}
        self._by_ns: dict[int, set[int]] = {}

    def __len__(self) -> int:
        return len(self._owner)

    @property
    def is_hnsw(self) -> bool:
        return self._hnsw

    def count_in(self, ns_ids: set[int]) -> int:
        """How many vectors live in these namespaces (decides selector vs over-fetch)."""
        return sum(len(self._by_ns.get(ns, ())) for ns in ns_ids)

    def add(
        self, ids: np.ndarray, matrix: np.ndarray, item_ids: np.ndarray, ns_ids: np.ndarray
    ) -> None:
        """Add vectors; ids already present are skipped, so catching up twice is harmless."""
        with self.lock:
            fresh = np.fromiter((i not in self._owner for i in ids.tolist()), bool, len(ids))
            if not fresh.all():
                ids, matrix = ids[fresh], matrix[fresh]
                item_ids, ns_ids = item_ids[fresh], ns_ids[fresh]
            if len(ids) == 0:
                return
            self._index.add_with_ids(np.ascontiguousarray(matrix, np.float32), ids.astype(np.int64))
            for vid, item, ns in zip(ids.tolist(), item_ids.tolist(), ns_ids.tolist(), strict=True):
                self._owner[vid] = (item, ns)
                self._by_ns.setdefault(ns, set()).add(vid)
            if not self._hnsw and self.hnsw_threshold is not None:
                if len(self._owner) > self.hnsw_threshold:
                    self._rebuild_hnsw()

    def remove(self, ids: list[int]) -> None:
        """Remove vectors by id; unknown ids are ignored."""
        with self.lock:
            present = [i for i in ids if i in self._owner]
            if not present:
                return
            for vid in present:
                _item, ns = self._owner.pop(vid)
                self._by_ns[ns].discard(vid)
            if self._hnsw:
                self._dead.update(present)
                if len(self._dead) > _REBUILD_DEAD_FRACTION * max(len(self._owner), 1):
                    self._rebuild_hnsw()
            else:
                # faiss's stubs list only remove_ids(IDSelector); its class_wrappers also
                # take an int64 array (wrapped in an IDSelectorBatch).
                self._index.remove_ids(np.asarray(present, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, query: np.ndarray, k: int, ns_ids: set[int] | None) -> list[Hit]:
        """Top-`k` vectors by cosine, best first; restricted to `ns_ids` when given."""
        with self.lock:
            allowed = None
            if ns_ids is not None:
                allowed = [v for ns in ns_ids for v in self._by_ns.get(ns, ())]
                if not allowed:
                    return []
            k = min(k, len(allowed) if allowed is not None else len(self._owner))
            if k <= 0:
                return []
            selector = self._selector(allowed)
            if self._hnsw:
                # faiss 1.15's stubs omit SearchParametersHNSW (it exists at runtime).
                params = faiss.SearchParametersHNSW(efSearch=max(self.hnsw_ef_search, k))  # type: ignore[attr-defined]
                if selector is not None:
                    params.sel = selector
            else:
                # The stubs type SearchParameters() without arguments; faiss's class_wrappers
                # accept fields as keywords (handle_SearchParameters).
                params = faiss.SearchParameters(sel=selector) if selector is not None else None  # type: ignore[call-arg]
            scores, labels = self._index.search(query.reshape(1, -1), k, params=params)
        hits = []
        for score, label in zip(scores[0].tolist(), labels[0].tolist(), strict=True):
            owner = self._owner.get(label) if label >= 0 else None
            if owner is not None:
                hits.append(Hit(label, owner[0], owner[1], score))
        return hits

    def _selector(self, allowed: list[int] | None) -> faiss.IDSelector | None:
        if allowed is not None:
            return faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        if self._hnsw and self._dead:
            return faiss.IDSelectorNot(faiss.IDSelectorBatch(np.fromiter(self._dead, np.int64)))
        return None

    def _rebuild_hnsw(self) -> None:
        """Rebuild as HNSW from the vectors the index holds (never from SQL, never re-embedded)."""
        labels = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        inner = faiss.downcast_index(self._index.index)
        matrix = inner.reconstruct_n(0, inner.ntotal)
        keep = np.fromiter((label in self._owner for label in labels.tolist()), bool, len(labels))
        labels, matrix = labels[keep], matrix[keep]
        graph = faiss.IndexHNSWFlat(self.dims, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = self.hnsw_ef_construction
        index: faiss.IndexIDMap = faiss.IndexIDMap2(graph)
        if len(labels):
            index.add_with_ids(matrix, labels)
        self._index, self._hnsw, self._dead = index, True, set()
