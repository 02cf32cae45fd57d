"""`SQLVectorStore`: LangGraph's `BaseStore` on the one SQL database, searched through FAISS.

Items and their vectors live in SQL (`store_sql`); FAISS (`vector_index`) is a cache of the
vectors table, loaded from the stored bytes (never re-embedded) on first use, updated in place
by this process's writes and caught up from other processes' writes with one cheap
`SELECT version` before every ranked search. Semantics (ordering, filters, max pooling, items
without vectors, reads seeing the state before the batch's writes) follow `InMemoryStore`;
TTL follows LangGraph's SQL stores.

`batch` and `abatch` share one core: ops are prepared without I/O, texts are embedded with the
embedder's sync or async API, and the blocking SQL + FAISS work runs in a worker thread for
`abatch`. We chose `asyncio.to_thread` over an `AsyncEngine` because FAISS blocks anyway, and a
second, async copy of every query would double the code the differential test must cover.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from langchain_core.embeddings import Embeddings
from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchOp,
    TTLConfig,
    ensure_embeddings,
    get_text_at_path,
    tokenize_path,
)
from sqlalchemy.engine import Connection, Engine

from core.db import make_engine, settings_engine
from memory import store_read, store_write
from memory.errors import StoreSchemaMismatch
from memory.filters import decode_namespace
from memory.store_sql import (
    chunks,
    current_version,
    items,
    namespaces,
    setup_schema,
    tombstones,
)
from memory.store_sql import vectors as vectors_table
from memory.store_write import ItemKey
from memory.vector_index import VectorIndex

logger = logging.getLogger(__name__)
_LOAD_CHUNK = 5000


@dataclass
class _Prepared:
    """A batch split by kind, before any I/O: reads run first, then writes (InMemoryStore)."""

    results: list[Result]
    gets: list[tuple[int, GetOp]] = field(default_factory=list)
    searches: list[tuple[int, SearchOp]] = field(default_factory=list)
    lists: list[tuple[int, ListNamespacesOp]] = field(default_factory=list)
    puts: dict[ItemKey, PutOp] = field(default_factory=dict)
    texts: dict[str, list[tuple[ItemKey, str]]] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)


class SQLVectorStore(BaseStore):
    """A durable LangGraph store: SQL rows, FAISS search, shared safely between processes.

    Build it from an engine (`SQLVectorStore(engine, index=...)`) or a URL
    (`with SQLVectorStore.from_url(url, index=...) as store:`), call `setup()` once per
    process, then use it as any LangGraph store (`put`, `get`, `search`, `aput`, ...).
    `index` is LangGraph's `IndexConfig` (`dims`, `embed`, `fields`); `ttl` its `TTLConfig`;
    `hnsw_threshold` switches FAISS to HNSW above that many vectors (default: always exact).
    Without a TTL config reads never refresh expiry (as LangGraph's SQL stores).
    """

    supports_ttl = True

    def __init__(
        self,
        engine: Engine,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        hnsw_threshold: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.clock = clock
        """Epoch seconds; injectable so TTL tests need no sleeping."""
        self.ttl_config = ttl
        self.index_config: dict[str, Any] | None = None
        self.embeddings: Embeddings | None = None
        self._index: VectorIndex | None = None
        self._loaded_version: int | None = None
        self._namespaces: dict[int, tuple[str, ...]] = {}
        self._sweeper: threading.Thread | None = None
        self._stop_sweeper = threading.Event()
        if index:
            self.index_config = dict(index)
            self.embeddings = ensure_embeddings(index.get("embed"))
            self.index_config["__tokenized_fields"] = [
                (p, tokenize_path(p)) if p != "$" else (p, p)
                for p in (index.get("fields") or ["$"])
            ]
            self._index = VectorIndex(int(index["dims"]), hnsw_threshold=hnsw_threshold)

    @classmethod
    @contextmanager
    def from_url(cls, url: str, **kwargs: Any) -> Iterator[SQLVectorStore]:
        """A store on its own engine for `url`, set up, and disposed of on exit."""
        engine = make_engine(url)
        try:
            store = cls(engine, **kwargs)
            try:
                store.setup()
                yield store
            finally:
                store.stop_ttl_sweeper()
        finally:
            engine.dispose()

    def setup(self) -> None:
        """Create or migrate the tables (idempotent) and load the vector index."""
        setup_schema(self.engine)
        if self._index is not None:
            with self.engine.connect() as conn:
                self._catch_up(conn)

    # -- batch / abatch over one core -------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        prepared = self._prepare(ops)
        queries = (
            {q: self.embeddings.embed_query(q) for q in prepared.queries} if self.embeddings else {}
        )
        docs = (
            self.embeddings.embed_documents(list(prepared.texts))
            if self.embeddings and prepared.texts
            else []
        )
        return self._execute(prepared, queries, docs)

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        prepared = self._prepare(ops)
        queries: dict[str, list[float]] = {}
        if self.embeddings and prepared.queries:
            vectors = await asyncio.gather(
                *(self.embeddings.aembed_query(q) for q in prepared.queries)
            )
            queries = dict(zip(prepared.queries, vectors, strict=True))
        docs: list[list[float]] = []
        if self.embeddings and prepared.texts:
            docs = await self.embeddings.aembed_documents(list(prepared.texts))
        return await asyncio.to_thread(self._execute, prepared, queries, docs)

    def _prepare(self, ops: Iterable[Op]) -> _Prepared:
        prepared = _Prepared(results=[])
        for i, op in enumerate(ops):
            prepared.results.append(None)
            if isinstance(op, GetOp):
                prepared.gets.append((i, op))
            elif isinstance(op, SearchOp):
                prepared.searches.append((i, op))
                if op.query and self.embeddings and op.query not in prepared.queries:
                    prepared.queries.append(op.query)
            elif isinstance(op, ListNamespacesOp):
                prepared.lists.append((i, op))
            elif isinstance(op, PutOp):
                prepared.puts[(op.namespace, op.key)] = op
            else:
                raise ValueError(f"Unknown operation type: {type(op)}")
        if self.index_config and self.embeddings:
            prepared.texts = self._texts_to_embed(prepared.puts)
        return prepared

    def _texts_to_embed(self, puts: dict[ItemKey, PutOp]) -> dict[str, list[tuple[ItemKey, str]]]:
        """Text per field path to embed, exactly as InMemoryStore picks them (`index`, fields)."""
        assert self.index_config is not None
        texts: dict[str, list[tuple[ItemKey, str]]] = defaultdict(list)
        for item_key, op in puts.items():
            if op.value is None or op.index is False:
                continue
            if op.index is None:
                paths = self.index_config["__tokenized_fields"]
            else:
                paths = [(ix, tokenize_path(ix)) for ix in op.index]
            for path, tokens in paths:
                found = get_text_at_path(op.value, tokens)
                if len(found) > 1:
                    for n, text in enumerate(found):
                        texts[text].append((item_key, f"{path}.{n}"))
                elif found:
                    texts[found[0]].append((item_key, path))
        return texts

    def _execute(
        self, prepared: _Prepared, queries: dict[str, list[float]], docs: list[list[float]]
    ) -> list[Result]:
        results = prepared.results
        now = self.clock()
        if prepared.gets or prepared.searches or prepared.lists:
            with self.engine.connect() as conn:
                ctx = store_read.ReadContext(conn, now, self._omit_expired(), [])
                results_by_op = self._read(ctx, prepared, queries)
                for i, value in results_by_op.items():
                    results[i] = value
                if ctx.refreshed and self._refresh_on_read():
                    self._refresh(conn, ctx.refreshed, now)
                conn.commit()
        if prepared.puts:
            self._write(prepared, docs, now)
        return results

    # -- reads ------------------------------------------------------------------------------

    def _read(
        self, ctx: store_read.ReadContext, prepared: _Prepared, queries: dict[str, list[float]]
    ) -> dict[int, Result]:
        out: dict[int, Result] = {}
        if prepared.gets:
            out.update(store_read.read_gets(ctx, prepared.gets))
        ranked = [(i, op) for i, op in prepared.searches if op.query and op.query in queries]
        if ranked:
            self._catch_up(ctx.conn)
        for i, op in prepared.searches:
            if op.query and op.query in queries and self._index is not None:
                query = _normalise(np.asarray([queries[op.query]], dtype=np.float32))[0]
                out[i] = store_read.search_ranked(ctx, op, query, self._index, self._ns_under)
            else:
                out[i] = store_read.search_listing(ctx, op)
        for i, list_op in prepared.lists:
            out[i] = store_read.read_list_namespaces(ctx, list_op)
        return out

    def _ns_under(self, prefix: tuple[str, ...]) -> set[int] | None:
        if not prefix:
            return None
        n = len(prefix)
        return {ns_id for ns_id, ns in self._namespaces.items() if ns[:n] == prefix}

    def _omit_expired(self) -> bool:
        return bool(self.ttl_config and self.ttl_config.get("omit_expired", False))

    def _refresh_on_read(self) -> bool:
        # As LangGraph's SQL stores: reads refresh TTLs only when the store has a TTL config,
        # so a store without one never turns a read into a write.
        return bool(self.ttl_config and self.ttl_config.get("refresh_on_read", True))

    def _refresh(self, conn: Connection, item_ids: list[int], now: float) -> None:
        """Push back the expiry of items a read returned, for those that have a TTL."""
        for chunk in chunks(item_ids):
            conn.execute(
                items.update()
                .where(items.c.id.in_(chunk))
                .where(items.c.ttl_minutes.is_not(None))
                .values(expires_at=now + items.c.ttl_minutes * 60)
            )

    # -- writes -----------------------------------------------------------------------------

    def _write(self, prepared: _Prepared, docs: list[list[float]], now: float) -> None:
        embedded: dict[ItemKey, list[tuple[str, np.ndarray]]] = defaultdict(list)
        if docs:
            matrix = _normalise(np.asarray(docs, dtype=np.float32))
            self._check_dims(matrix.shape[1])
            for row, targets in zip(matrix, prepared.texts.values(), strict=True):
                for item_key, path in targets:
                    embedded[item_key].append((path, row))
        with self.engine.begin() as conn:
            result = store_write.write_puts(conn, prepared.puts, embedded, now)
        self._follow(result)

    def _follow(self, result: store_write.WriteResult) -> None:
        """Apply our own committed write to the index if no other writer came between."""
        if self._index is None:
            return
        with self._index.lock:
            if self._loaded_version != result.version - 1:
                return  # someone else wrote in between: the next search catches up from SQL
            self._namespaces.update(result.new_namespaces)
            if len(result.added_ids):
                self._index.add(
                    result.added_ids, result.added_matrix, result.added_items, result.added_ns
                )
            self._index.remove(result.removed_ids)
            self._loaded_version = result.version

    def _check_dims(self, dims: int) -> None:
        if self._index is not None and dims != self._index.dims:
            raise StoreSchemaMismatch(expected_dims=self._index.dims, stored_dims=dims)

    # -- following the table ----------------------------------------------------------------

    def _catch_up(self, conn: Connection) -> None:
        """Bring the index up to the table's version: everything at start-up, deltas after."""
        if self._index is None:
            return
        version = current_version(conn)
        if version == self._loaded_version:
            return
        with self._index.lock:
            if version == self._loaded_version:
                return  # another thread caught up while we waited for the lock
            last = self._loaded_version or 0
            known = max(self._namespaces, default=0)
            rows = conn.execute(
                sa.select(namespaces.c.id, namespaces.c.prefix).where(namespaces.c.id > known)
            )
            self._namespaces.update({int(r.id): decode_namespace(r.prefix) for r in rows})
            self._load_vectors(conn, last, version)
            if self._loaded_version is not None:
                gone = conn.execute(
                    sa.select(tombstones.c.vector_id).where(
                        tombstones.c.version > last, tombstones.c.version <= version
                    )
                ).scalars()
                self._index.remove([int(v) for v in gone])
            self._loaded_version = version

    def _load_vectors(self, conn: Connection, after: int, upto: int) -> None:
        assert self._index is not None
        t = vectors_table
        stmt = (
            sa.select(t.c.id, t.c.item_id, t.c.ns_id, t.c.embedding)
            .where(t.c.version > after, t.c.version <= upto)
            .order_by(t.c.id)
        )
        result = conn.execute(stmt, execution_options={"yield_per": _LOAD_CHUNK})
        for chunk in result.partitions():
            blob = b"".join(bytes(r.embedding) for r in chunk)
            width = len(chunk[0].embedding) // 4
            self._check_dims(width)
            matrix = np.frombuffer(blob, dtype="<f4").reshape(len(chunk), width)
            self._index.add(
                np.asarray([r.id for r in chunk], np.int64),
                matrix,
                np.asarray([r.item_id for r in chunk], np.int64),
                np.asarray([r.ns_id for r in chunk], np.int64),
            )

    # -- TTL --------------------------------------------------------------------------------

    def sweep_ttl(self) -> int:
        """Delete expired items (and their vectors); returns how many were deleted."""
        now = self.clock()
        # A cheap look first, so a sweep with nothing to do takes no writers' lock.
        with self.engine.connect() as conn:
            expired = conn.execute(
                sa.select(items.c.id).where(items.c.expires_at < now).limit(1)
            ).first()
        if expired is None:
            return 0
        with self.engine.begin() as conn:
            result = store_write.WriteResult(version=store_write.bump_version(conn))
            doomed = [
                int(i)
                for i in conn.execute(
                    sa.select(items.c.id).where(items.c.expires_at < now)
                ).scalars()
            ]
            result.removed_ids = store_write.delete_items(conn, doomed, result.version)
        self._follow(result)
        return len(doomed)

    def start_ttl_sweeper(self, sweep_interval_minutes: float | None = None) -> None:
        """Sweep expired items every interval in a daemon thread (default from `ttl` config)."""
        interval = sweep_interval_minutes or (self.ttl_config or {}).get("sweep_interval_minutes")
        if not interval or (self._sweeper and self._sweeper.is_alive()):
            return
        self._stop_sweeper.clear()

        def loop() -> None:
            while not self._stop_sweeper.wait(float(interval) * 60):
                try:
                    self.sweep_ttl()
                except Exception:  # noqa: BLE001 - a failed sweep must not kill the thread
                    logger.exception("memory store TTL sweep failed")

        self._sweeper = threading.Thread(target=loop, name="store-ttl-sweeper", daemon=True)
        self._sweeper.start()

    def stop_ttl_sweeper(self, timeout: float | None = None) -> None:
        self._stop_sweeper.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout)
            self._sweeper = None


def _normalise(matrix: np.ndarray) -> np.ndarray:
    """Unit rows, so inner product is cosine; zero rows stay zero (cosine 0, as InMemoryStore)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


CASE_FIELDS = ["text"]
"""What is embedded of a memory: its `text` (agents store a case summary there)."""


def configured_store(engine: Engine, settings: Any) -> SQLVectorStore:
    """The long-term store for `settings` (`OVERTURE_EMBEDDER`) on `engine`; call `setup()`."""
    from memory.embeddings import embedding_dims, make_embeddings

    embeddings = make_embeddings(settings.embedder)
    return SQLVectorStore(
        engine,
        index={"dims": embedding_dims(embeddings), "embed": embeddings, "fields": CASE_FIELDS},
    )


@asynccontextmanager
async def lifespan_store(settings: Any = None) -> AsyncIterator[SQLVectorStore]:
    """The store configured from settings, for `langgraph.json` `store` and the CLI.

    Uses `OVERTURE_DATABASE_URL` and `OVERTURE_EMBEDDER`. The configured store has no TTL
    config, so no sweeper is started (one started later is stopped on exit).
    """
    from core.settings import get_settings

    settings = settings or get_settings()
    engine = settings_engine(settings)
    store = configured_store(engine, settings)
    try:
        await asyncio.to_thread(store.setup)
        yield store
    finally:
        store.stop_ttl_sweeper()
        engine.dispose()
