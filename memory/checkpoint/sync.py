"""`SQLCheckpointer`: the synchronous saver, over a pooled SQLAlchemy `Engine`.

Every call checks a connection out of the engine's pool for one transaction and gives it back at
once, so one saver serves many threads without a global lock and never holds more connections
than it has calls in flight. (An earlier version parked used connections on a free list of its
own to save the ~20 us checkout: callers beyond the pool's capacity then waited in the pool for
connections parked outside it, and the 8-thread bench died with "QueuePool limit of size 8
overflow 10 reached"; tests/integration/test_checkpoint_pool.py pins the fix.)

What a checkout costs is the engine's business: ~20 us plain, but ~340 us with
`pool_pre_ping`, which spends a round trip per checkout (measured here on PostgreSQL).
`from_url` therefore builds its engine without pre-ping, like PostgresSaver's psycopg pool
(no check at checkout); a stale connection instead fails with a disconnect error, is
invalidated, and the call is retried once on a fresh one: every operation but `copy_thread` is
idempotent (upserts, keyed deletes), so a retry after a lost COMMIT is harmless.

On SQLite, whose database takes one writer at a time anyway, writers of one saver queue on a
lock instead of in SQLite's busy handler, which sleeps 1, 2, 5 ms... between retries; and since
they queue anyway, they share one connection of the saver's own (`_SqliteWriter`, from a private
copy of the engine's pool) instead of a checkout per write: a bounded scheme (one connection,
used under the lock) that saves the checkout on SQLite's hot path, where it was a third of a
60 us call. A reader uses that connection too when no writer holds it (its page cache is warm:
a read on a pooled connection after another connection's write costs ~140 us against ~60 us
here), and otherwise checks out of the engine's pool, so readers never wait for writers.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, NoReturn, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import DBAPIModule

from core.db import make_engine
from memory.checkpoint import plans
from memory.checkpoint.base import migrate, next_version
from memory.checkpoint.driver import Compiler, lookahead, run_plan, run_transaction
from memory.checkpoint.statements import statements
from memory.errors import CheckpointerModeError, ThreadNotEmpty


class SQLCheckpointer(BaseCheckpointSaver[str]):
    """Checkpoints in SQLite, PostgreSQL or MariaDB/MySQL, through SQLAlchemy Core.

    >>> with SQLCheckpointer.from_url("sqlite:///.overture/overture.db") as saver:
    ...     saver.setup()
    ...     graph = builder.compile(checkpointer=saver)
    """

    def __init__(self, engine: Engine, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self.engine = engine
        self.statements = statements(engine.dialect.name)
        self._compile = Compiler(engine.dialect)
        self._psycopg = engine.dialect.driver == "psycopg"
        # MySQL/MariaDB default to REPEATABLE READ, whose gap locks make concurrent upserts of
        # different keys wait on each other; every statement here is keyed, so READ COMMITTED
        # gives the same results without those waits. Set per write transaction (SET
        # TRANSACTION lasts one transaction), so pooled sessions go back unchanged.
        self._mysql = engine.dialect.name in ("mysql", "mariadb")
        self._integrity_error = getattr(engine.dialect.loaded_dbapi, "IntegrityError", Exception)
        self._write_lock: Any = (  # a Lock on SQLite, else a no-op context
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        self._sqlite_writer = _SqliteWriter.for_engine(engine)

    @classmethod
    @contextmanager
    def from_url(cls, url: str | URL, **engine_kwargs: Any) -> Iterator[SQLCheckpointer]:
        """A saver on a new engine for `url`, disposed of on exit (like `from_conn_string`).

        The engine has no `pool_pre_ping` unless asked for (see the module docstring).
        """
        engine_kwargs.setdefault("pool_pre_ping", False)
        engine = make_engine(url, **engine_kwargs)
        saver = cls(engine)
        try:
            yield saver
        finally:
            saver.close()
            engine.dispose()

    def close(self) -> None:
        """Close the SQLite writer connection, if any (others go back after every call)."""
        if self._sqlite_writer is not None:
            self._sqlite_writer.close()

    def setup(self) -> None:
        """Create or migrate the tables; safe to call at every start."""
        with self.engine.begin() as conn:
            migrate(conn)

    def _run(self, make_plan: Callable[[], plans.Plan[Any]], *, write: bool, retry: bool) -> Any:
        """Run a fresh plan per attempt; a disconnect is retried once when `retry` allows."""
        try:
            return self._attempt(make_plan(), write)
        except _Disconnected as lost:
            if not retry:
                raise lost.error from None
            try:
                return self._attempt(make_plan(), write)
            except _Disconnected as again:
                raise again.error from None

    def _attempt(self, plan: plans.Plan[Any], write: bool) -> Any:
        if self._sqlite_writer is not None and self._write_lock.acquire(blocking=write):
            try:  # a read takes the writer's connection only when no write holds it
                return self._sqlite_writer.run(self._transaction, plan, write)
            finally:
                self._write_lock.release()
        with self._write_lock if write else nullcontext(), self._lease() as conn:
            if self._psycopg:
                return self._psycopg_attempt(conn, plan, write)
            return self._transaction(conn, plan, write)

    def _transaction(self, conn: Any, plan: plans.Plan[Any], write: bool) -> Any:
        first = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED" if write and self._mysql else None
        return run_transaction(conn, self._compile, plan, write, first)

    def _psycopg_attempt(self, conn: Any, plan: plans.Plan[Any], write: bool) -> Any:
        """Autocommit reads and one-statement writes; others as BEGIN .. COMMIT in a pipeline.

        A put (blobs in a CTE of the checkpoint upsert) and a put_writes (one multi-row INSERT)
        are one statement, which autocommit makes its own transaction: one round trip, no
        BEGIN/COMMIT to parse. Three write rows here: 503 us as one autocommit statement,
        947 us as BEGIN, executemany, COMMIT in a pipeline, 811 us as PostgresSaver's
        autocommit pipeline (a commit per row). Longer writes keep the pipeline: one round
        trip (psycopg's `conn.transaction()` would sync around BEGIN and COMMIT: 1.67 ms
        against 1.13 ms per two-statement put).
        """
        if not write:
            return run_plan(conn, self._compile, plan)
        single, plan = lookahead(plan)
        if single:
            return run_plan(conn, self._compile, plan)
        try:
            with conn.pipeline():
                conn.execute("BEGIN")
                result = run_plan(conn, self._compile, plan)
                conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        return result

    @contextmanager
    def _lease(self) -> Iterator[Any]:
        """A DBAPI connection from the engine's pool for one call, given back on exit."""
        fairy = self.engine.raw_connection()
        conn = fairy.driver_connection
        assert conn is not None  # None only once the connection is invalidated or closed
        try:
            if self._psycopg:
                conn.autocommit = True
            yield conn
        except Exception as error:
            if _is_disconnect(self.engine, error, fairy):
                fairy.invalidate(error)
                fairy.close()
                raise _Disconnected(error) from error
            self._release(fairy, conn)
            raise
        self._release(fairy, conn)

    def _release(self, fairy: Any, conn: Any) -> None:
        if self._psycopg and not conn.closed:
            conn.autocommit = False  # the pool hands out connections in their default mode
        fairy.close()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._run(
            lambda: plans.get_tuple(self.statements, self.serde, config), write=False, retry=True
        )

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._run(
            lambda: plans.list_tuples(self.statements, self.serde, config, filter, before, limit),
            write=False,
            retry=True,
        )

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._run(
            lambda: plans.put(
                self.statements, self.serde, config, checkpoint, metadata, new_versions
            ),
            write=True,
            retry=True,
        )

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._run(
            lambda: plans.put_writes(
                self.statements, self.serde, config, writes, task_id, task_path
            ),
            write=True,
            retry=True,
        )

    def delete_thread(self, thread_id: str) -> None:
        self._run(lambda: plans.delete_thread(self.statements, thread_id), write=True, retry=True)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._run(
            lambda: plans.delete_for_runs(self.statements, self.serde, run_ids),
            write=True,
            retry=True,
        )

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint, blob and write of a thread to a new one.

        Raises `ThreadNotEmpty` if the target already has checkpoints (see `plans.copy_thread`).
        Not retried after a lost connection: a copy that did commit would then be refused.
        """
        try:
            self._run(
                lambda: plans.copy_thread(self.statements, source_thread_id, target_thread_id),
                write=True,
                retry=False,
            )
        except self._integrity_error as error:  # a concurrent writer filled the target
            raise ThreadNotEmpty(source_thread_id, target_thread_id) from error

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._run(
            lambda: plans.prune(self.statements, self.serde, thread_ids, strategy),
            write=True,
            retry=True,
        )

    def get_next_version(self, current: str | None, channel: None) -> str:
        return next_version(current)

    # The async interface belongs to AsyncSQLCheckpointer: a sync engine would block the loop.

    def _async_refused(self, method: str) -> NoReturn:
        raise CheckpointerModeError(
            "SQLCheckpointer",
            method,
            "AsyncSQLCheckpointer (memory.checkpoint) with an async engine",
            "it is synchronous and would block the event loop (graph.ainvoke/astream call it)",
        )

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        self._async_refused("aget_tuple")

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        self._async_refused("alist")
        yield  # pragma: no cover - makes this an async generator, like the base method

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._async_refused("aput")

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._async_refused("aput_writes")

    async def adelete_thread(self, thread_id: str) -> None:
        self._async_refused("adelete_thread")

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._async_refused("adelete_for_runs")

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._async_refused("acopy_thread")

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._async_refused("aprune")


class _SqliteWriter:
    """One connection for a saver's SQLite writes, used under its write lock.

    It comes from a private copy of the engine's pool (same creator, PRAGMAs and events), so it
    takes nothing from the engine's own pool. In-memory databases have no such copy (a new
    connection would be a new, empty database): there every call uses the engine's pool.
    """

    def __init__(self, engine: Engine) -> None:
        self.pool = engine.pool.recreate()
        self.fairy: Any = None
        self.conn: Any = None  # the fairy's sqlite3 connection

    @classmethod
    def for_engine(cls, engine: Engine) -> _SqliteWriter | None:
        database = engine.url.database or ""
        in_memory = database in ("", ":memory:") or "mode=memory" in database
        return None if engine.dialect.name != "sqlite" or in_memory else cls(engine)

    def run(self, work: Callable[[Any, plans.Plan[Any], bool], Any], plan: Any, write: bool) -> Any:
        if self.fairy is None:
            self.fairy = self.pool.connect()
            self.conn = self.fairy.driver_connection
        try:
            return work(self.conn, plan, write)
        except Exception:
            if self.conn.in_transaction:  # rollback failed: start afresh
                self.fairy.invalidate()
                self.fairy = None
            raise

    def close(self) -> None:
        if self.fairy is not None:
            self.fairy.close()
            self.fairy = None
        self.pool.dispose()


class _Disconnected(Exception):
    """The connection died under a call; carries the driver's error for re-raising."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _is_disconnect(engine: Engine, error: Exception, fairy: Any) -> bool:
    dbapi_error = getattr(engine.dialect.loaded_dbapi, "Error", Exception)
    if not isinstance(error, dbapi_error):
        return False
    # `error` is an instance of the driver's Error class (checked above), which SQLAlchemy
    # types as DBAPIModule.Error; mypy cannot narrow through the class looked up at runtime.
    driver_error = cast(DBAPIModule.Error, error)
    return bool(engine.dialect.is_disconnect(driver_error, fairy.dbapi_connection, None))
