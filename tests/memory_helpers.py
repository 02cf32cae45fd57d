"""Helpers shared by the memory store tests: building stores, comparing results."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from langgraph.store.base import Item, SearchItem

from memory.embeddings import HashEmbeddings
from memory.store import SQLVectorStore

DIMS = 384
SCORE_TOLERANCE = 1e-5
TIE = 1e-6


def index_config(embed=None, fields=None) -> dict:
    config = {"dims": DIMS, "embed": embed or HashEmbeddings(DIMS)}
    if fields is not None:
        config["fields"] = fields
    return config


@contextmanager
def open_store(url: str, **kwargs) -> Iterator[SQLVectorStore]:
    kwargs.setdefault("index", index_config())
    with SQLVectorStore.from_url(url, **kwargs) as store:
        yield store


def item_view(item: Item | None) -> tuple | None:
    if item is None:
        return None
    return (item.namespace, item.key, item.value)


def assert_same_items(ours: Item | None, reference: Item | None) -> None:
    assert item_view(ours) == item_view(reference)


def assert_same_search(
    ours: list[SearchItem], reference: list[SearchItem], *, limit: int | None = None
) -> None:
    """Same scores position by position, and the same items in the same order up to ties.

    Cosines that are equal in exact arithmetic differ in the 7th-8th digit between our float32
    FAISS scores and InMemoryStore's float64 ones, and InMemoryStore then orders them by that
    noise. So items whose reference scores agree within 1e-6 form a tie group compared as a
    set; a group cut by the page end may hold different (equally scored) members. Unscored
    items (score None) come last, in the same order.
    """
    assert len(ours) == len(reference), (_view(ours), _view(reference))
    for mine, theirs in zip(ours, reference, strict=True):
        if theirs.score is None:
            assert mine.score is None, (_view(ours), _view(reference))
            assert item_view(mine) == item_view(theirs)
        else:
            assert mine.score is not None
            assert math.isclose(mine.score, theirs.score, abs_tol=SCORE_TOLERANCE)
    scored = [i for i, item in enumerate(reference) if item.score is not None]
    start = 0
    while start < len(scored):
        end = start + 1
        first = reference[scored[start]].score
        while end < len(scored) and first - reference[scored[end]].score <= TIE:
            end += 1
        positions = scored[start:end]
        cut_by_page = limit is not None and end == len(scored) and len(reference) == limit
        if not cut_by_page:
            mine = sorted(repr(item_view(ours[i])) for i in positions)
            theirs = sorted(repr(item_view(reference[i])) for i in positions)
            assert mine == theirs, (_view(ours), _view(reference))
        start = end


def _view(items: list[SearchItem]) -> list[tuple]:
    return [(i.namespace, i.key, i.score) for i in items]
