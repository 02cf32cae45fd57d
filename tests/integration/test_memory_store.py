"""Behaviour of the SQL + FAISS store beyond the differential test: TTL, async, set-up, scale."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from langgraph.store.memory import InMemoryStore

from core.settings import Settings
from memory.embeddings import HashEmbeddings
from memory.errors import StoreSchemaMismatch
from memory.store import SQLVectorStore, lifespan_store
from tests.memory_helpers import assert_same_search, index_config, open_store

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_setup_twice_keeps_data_and_records_one_schema_version(db_url: str) -> None:
    with open_store(db_url) as store:
        store.put(("a",), "k", {"text": "kept"})
        store.setup()
        assert store.get(("a",), "k").value == {"text": "kept"}
        with store.engine.connect() as conn:
            versions = (
                conn.execute(sa.text("SELECT v FROM overture_store_migrations")).scalars().all()
            )
    assert versions == [1]


def test_expired_items_are_swept_with_their_vectors(db_url: str) -> None:
    clock = Clock()
    with open_store(db_url, ttl={"default_ttl": 1.0}, clock=clock) as store:
        store.put(("a",), "short", {"text": "bank account changed"})
        store.put(("a",), "forever", {"text": "bank account changed too"}, ttl=None)
        clock.now += 61
        assert store.sweep_ttl() == 1
        assert store.get(("a",), "short") is None
        assert [r.key for r in store.search(("a",), query="bank account")] == ["forever"]


def test_reading_an_item_pushes_back_its_expiry(db_url: str) -> None:
    clock = Clock()
    with open_store(db_url, ttl={"default_ttl": 1.0, "refresh_on_read": True}, clock=clock) as s:
        s.put(("a",), "k", {"text": "x"})
        clock.now += 50
        assert s.get(("a",), "k") is not None
        clock.now += 50
        assert s.sweep_ttl() == 0
        clock.now += 61
        assert s.sweep_ttl() == 1


def test_reading_without_refresh_leaves_expiry_alone(db_url: str) -> None:
    clock = Clock()
    with open_store(db_url, ttl={"default_ttl": 1.0, "refresh_on_read": False}, clock=clock) as s:
        s.put(("a",), "k", {"text": "x"})
        clock.now += 50
        s.get(("a",), "k")
        clock.now += 20
        assert s.sweep_ttl() == 1


def test_omit_expired_hides_items_before_the_sweep(db_url: str) -> None:
    clock = Clock()
    with open_store(db_url, ttl={"default_ttl": 1.0, "omit_expired": True}, clock=clock) as s:
        s.put(("a",), "k", {"text": "x"})
        clock.now += 61
        assert s.get(("a",), "k") is None
        assert s.search(("a",)) == []
        assert s.list_namespaces() == []


def test_async_methods_share_the_sync_core(db_url: str) -> None:
    async def session(store: SQLVectorStore) -> tuple:
        await store.aput(("a", "b"), "k", {"text": "supplier changed bank account"})
        item = await store.aget(("a", "b"), "k")
        hits = await store.asearch(("a",), query="bank account")
        namespaces = await store.alist_namespaces()
        await store.adelete(("a", "b"), "k")
        return item.value, [h.key for h in hits], namespaces, await store.aget(("a", "b"), "k")

    with open_store(db_url) as store:
        value, keys, namespaces, gone = asyncio.run(session(store))
    assert value == {"text": "supplier changed bank account"}
    assert keys == ["k"]
    assert namespaces == [("a", "b")]
    assert gone is None


def test_filters_that_reject_most_top_hits_still_return_the_best_survivors(db_url: str) -> None:
    embed = HashEmbeddings()
    reference = InMemoryStore(index=index_config(embed, fields=["text"]))
    with open_store(db_url, index=index_config(embed, fields=["text"])) as ours:
        for n in range(400):
            value = {"text": f"bank account change number {n}", "rare": n % 97 == 0}
            if n % 3 == 0:
                value["text"] = f"unrelated weather report {n}"
            for store in (ours, reference):
                store.put(("m", f"v{n % 7}"), f"k{n}", value)
        for prefix in [("m",), ("m", "v3")]:
            assert_same_search(
                ours.search(prefix, query="bank account change", filter={"rare": True}),
                reference.search(prefix, query="bank account change", filter={"rare": True}),
                limit=10,
            )


def test_vectors_of_another_width_are_refused(db_url: str) -> None:
    with open_store(db_url) as store:
        store.put(("a",), "k", {"text": "x"})
    with pytest.raises(StoreSchemaMismatch, match="384-dimensional"):
        with open_store(db_url, index=index_config(HashEmbeddings(64)) | {"dims": 64}):
            pass


def test_hnsw_above_the_threshold_finds_the_same_best_match(db_url: str) -> None:
    with open_store(db_url, hnsw_threshold=100) as store:
        for n in range(300):
            store.put(("m",), f"k{n}", {"text": f"memo {n} about topic {n % 11} and {n % 13}"})
        store.delete(("m",), "k7")
        assert store._index is not None and store._index.is_hnsw
        best = store.search(("m",), query='{"text": "memo 42 about topic 9 and 3"}', limit=1)
        gone = {r.key for r in store.search(("m",), query="memo 7 about topic 7", limit=50)}
    assert best[0].key == "k42"
    assert "k7" not in gone


def test_lifespan_store_uses_the_configured_database_and_embedder(sqlite_url: str) -> None:
    async def session() -> list[str]:
        async with lifespan_store(Settings(database_url=sqlite_url, embedder="hash")) as store:
            await store.aput(("mem",), "k", {"text": "remember the bank change"})
            return [r.key for r in await store.asearch(("mem",), query="bank change")]

    assert asyncio.run(session()) == ["k"]
