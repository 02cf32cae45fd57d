"""Our store and LangGraph's InMemoryStore answer a long random session identically.

Two InMemoryStore quirks are kept out of the comparison, not imitated: a `get` on an unknown
namespace, or deleting a namespace's last item, leaves that namespace in its
`list_namespaces`. So every namespace gets an anchor item first (fixing the namespace order
both stores list items in) and anchors are never deleted, and gets stay in known namespaces.
"""

from __future__ import annotations

import random

import pytest
from langgraph.store.base import GetOp, PutOp, SearchOp
from langgraph.store.memory import InMemoryStore

from memory.embeddings import HashEmbeddings
from tests.memory_helpers import (
    DIMS,
    assert_same_items,
    assert_same_search,
    index_config,
    open_store,
)

pytestmark = pytest.mark.integration

OPERATIONS = 320
NAMESPACES = [
    ("mem", "v1"),
    ("mem", "v2"),
    ("mem", "v2", "x"),
    ("mem-x", "v1"),
    ("audit",),
    ("a_b",),
    ("axb",),
]
KEYS = [f"k{i}" for i in range(10)] + ["K0"]
WORDS = (
    "supplier bank account changed invoice duplicate payment approved rejected vendor "
    "dispute credit note purchase order receipt mismatch price tolerance urgent wire "
    "transfer iban update fraud review audit trail manager signed"
).split()
FILTERS = [
    {"tag": "a"},
    {"n": {"$gte": 5}},
    {"n": {"$lt": 3}, "tag": {"$ne": "b"}},
    {"nested": {"x": 1}},
    {"n": 4},
    {"n": {"$gt": 2, "$lte": 7}},
    {"tag": {"$eq": "c"}},
]
INDEX_CHOICES = [None, None, None, False, ["text"], ["notes[*]"], ["text", "nested.x"]]


def _value(rng: random.Random) -> dict:
    value = {
        "text": " ".join(rng.choices(WORDS, k=rng.randint(2, 7))),
        "n": rng.randint(0, 9),
        "tag": rng.choice("abc"),
        "nested": {"x": rng.randint(0, 3)},
    }
    if rng.random() < 0.4:
        value["notes"] = [" ".join(rng.choices(WORDS, k=3)) for _ in range(rng.randint(1, 3))]
    return value


def _search_args(rng: random.Random, with_query: bool) -> dict:
    args = {
        "limit": rng.randint(1, 8),
        "offset": rng.choice([0, 0, 0, 1, 3]),
        "filter": rng.choice([None, None, *FILTERS]),
    }
    if with_query:
        args["query"] = " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))
    prefix = rng.choice([(), ("mem",), ("mem", "v2"), ("a_b",), ("audit",), ("mem", "v2", "x")])
    return {"namespace_prefix": prefix, **args}


def _list_args(rng: random.Random) -> dict:
    return {
        "prefix": rng.choice([None, ("mem",), ("mem", "*"), ("a_b",)]),
        "suffix": rng.choice([None, None, ("v1",), ("*",)]),
        "max_depth": rng.choice([None, None, 1, 2]),
        "limit": rng.randint(1, 10),
        "offset": rng.choice([0, 0, 1, 2]),
    }


def _run_session(ours, reference, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for ns in NAMESPACES:
        anchor = {"text": f"anchor of {' '.join(ns)}", "n": 0, "tag": "a", "nested": {"x": 0}}
        for store in (ours, reference):
            store.put(ns, "anchor", anchor)
    for _ in range(OPERATIONS):
        kind = rng.choices(
            ["put", "get", "query", "listing", "delete", "namespaces", "batch"],
            weights=[32, 14, 24, 10, 7, 7, 6],
        )[0]
        counts[kind] = counts.get(kind, 0) + 1
        ns, key = rng.choice(NAMESPACES), rng.choice(KEYS)
        if kind == "put":
            value, index = _value(rng), rng.choice(INDEX_CHOICES)
            for store in (ours, reference):
                store.put(ns, key, value, index=index)
        elif kind == "get":
            assert_same_items(ours.get(ns, key), reference.get(ns, key))
        elif kind in ("query", "listing"):
            args = _search_args(rng, with_query=kind == "query")
            prefix = args.pop("namespace_prefix")
            assert_same_search(
                ours.search(prefix, **args), reference.search(prefix, **args), limit=args["limit"]
            )
        elif kind == "delete":
            for store in (ours, reference):
                store.delete(ns, key)
        elif kind == "namespaces":
            args = _list_args(rng)
            assert ours.list_namespaces(**args) == reference.list_namespaces(**args)
        else:
            # One batch: reads see the state before the batch's writes, in both stores.
            query = " ".join(rng.choices(WORDS, k=2))
            ops = [
                PutOp(ns, key, _value(rng)),
                GetOp(ns, key),
                SearchOp(ns[:1], None, 5, 0, query),
                PutOp(ns, key, None) if rng.random() < 0.3 else PutOp(ns, key, _value(rng)),
            ]
            mine, theirs = ours.batch(ops), reference.batch(ops)
            assert_same_items(mine[1], theirs[1])
            assert_same_search(mine[2], theirs[2], limit=5)
    for ns in NAMESPACES:
        for key in [*KEYS, "anchor"]:
            assert_same_items(ours.get(ns, key), reference.get(ns, key))
    return counts


@pytest.mark.parametrize("seed", [5, 2024])
def test_random_session_matches_in_memory_store(db_url: str, seed: int) -> None:
    embed = HashEmbeddings(DIMS)
    config = index_config(embed, fields=["text"])
    reference = InMemoryStore(index=config)
    with open_store(db_url, index=config) as ours:
        counts = _run_session(ours, reference, seed)
    assert sum(counts.values()) == OPERATIONS
    assert min(counts.values()) >= 10, counts


def test_exact_search_over_whole_values_matches_in_memory_store(db_url: str) -> None:
    """The default `fields` ("$": the whole JSON value) gives the same ranking and scores."""
    embed = HashEmbeddings(DIMS)
    reference = InMemoryStore(index=index_config(embed))
    with open_store(db_url, index=index_config(embed)) as ours:
        rng = random.Random(7)
        for i in range(120):
            value = _value(rng)
            for store in (ours, reference):
                store.put(("docs", f"g{i % 4}"), f"d{i}", value)
        for _ in range(20):
            query = " ".join(rng.choices(WORDS, k=3))
            assert_same_search(
                ours.search(("docs",), query=query, limit=10),
                reference.search(("docs",), query=query, limit=10),
                limit=10,
            )
