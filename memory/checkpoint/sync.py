"""`SQLCheckpointer`: the synchronous saver, over a pooled SQLAlchemy `Engine`.

Every call takes a connection of its own for one transaction, so one saver serves many threads
without a global lock. Connections come from the engine's pool and are kept on a free list
(`_Connections`) instead of going back after each call: the pool's checkout/reset-on-return
costs ~30 us, as much as a SQLite commit. On SQLite, whose database takes one writer at a time
anyway, writers of one saver queue on a lock instead of in SQLite's busy handler, which sleeps
1, 2, 5 ms... between retries (bench/checkpointer.py, sqlite_concurrent 0.5 -> see README).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, NoReturn

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

from memory.checkpoint import plans
from memory.checkpoint.base import migrate, next_version
from memory.checkpoint.driver import Compiler, run_plan
from memory.checkpoint.statements import statements
from overture.db import make_engine
from overture.errors import CheckpointerModeError


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
        self._connections = _Connections(engine)
        self._pipeline = engine.dialect.driver == "psycopg"
        self._write_lock: AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @classmethod
    @contextmanager
    def from_url(cls, url: str | URL, **engine_kwargs: Any) -> Iterator[SQLCheckpointer]:
        """A saver on a new engine for `url`, disposed of on exit (like `from_conn_string`)."""
        engine = make_engine(url, **engine_kwargs)
        saver = cls(engine)
        try:
            yield saver
        finally:
            saver.close()
            engine.dispose()

    def close(self) -> None:
        """Give the connections this saver holds back to the engine's pool."""
        self._connections.close()

    def setup(self) -> None:
        """Create or migrate the tables; safe to call at every start."""
        with self.engine.begin() as conn:
            migrate(conn)

    def _write(self, plan: plans.Plan[Any]) -> Any:
        """One transaction; on PostgreSQL pipelined, so BEGIN..COMMIT is one round trip."""
        with self._write_lock, self._connections.take() as conn:
            if self._pipeline:
                with conn.pipeline(), conn.transaction():
                    return run_plan(conn, self._compile, plan)
            try:
                result = run_plan(conn, self._compile, plan)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return result

    def _read(self, plan: plans.Plan[Any]) -> Any:
        with self._connections.take() as conn:
            if self._pipeline:  # autocommit: each read is its own snapshot, no BEGIN/ROLLBACK
                return run_plan(conn, self._compile, plan)
            try:
                return run_plan(conn, self._compile, plan)
            finally:
                conn.rollback()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._read(plans.get_tuple(self.statements, self.serde, config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._read(
            plans.list_tuples(self.statements, self.serde, config, filter, before, limit)
        )

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._write(
            plans.put(self.statements, self.serde, config, checkpoint, metadata, new_versions)
        )

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._write(
            plans.put_writes(self.statements, self.serde, config, writes, task_id, task_path)
        )

    def delete_thread(self, thread_id: str) -> None:
        self._write(plans.delete_thread(self.statements, thread_id))

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._write(plans.delete_for_runs(self.statements, self.serde, run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._write(plans.copy_thread(self.statements, source_thread_id, target_thread_id))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._write(plans.prune(self.statements, self.serde, thread_ids, strategy))

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


class _Connections:
    """A free list of DBAPI connections checked out of the engine's pool, one per caller.

    `list.pop`/`append` are atomic, so threads share it without a lock. A connection that
    raised is invalidated (the pool replaces it) rather than reused. psycopg connections are
    switched to autocommit while held here, for pipelined transactions, and back on release.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.idle: list[Any] = []
        self.psycopg = engine.dialect.driver == "psycopg"
        # MySQL/MariaDB default to REPEATABLE READ, whose gap locks make concurrent upserts of
        # different keys wait on each other; every statement here is keyed, so READ COMMITTED
        # gives the same results without those waits.
        self.mysql = engine.dialect.name in ("mysql", "mariadb")

    @contextmanager
    def take(self) -> Iterator[Any]:
        try:
            fairy = self.idle.pop()
        except IndexError:
            fairy = self.engine.raw_connection()
            if self.psycopg:
                fairy.driver_connection.autocommit = True
            if self.mysql:
                with fairy.driver_connection.cursor() as cursor:
                    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        try:
            yield fairy.driver_connection
        except BaseException as error:
            if isinstance(error, Exception) and _is_disconnect(self.engine, error, fairy):
                fairy.invalidate(error)
                fairy.close()
                raise
            self.idle.append(fairy)
            raise
        self.idle.append(fairy)

    def close(self) -> None:
        while self.idle:
            fairy = self.idle.pop()
            if self.psycopg:
                fairy.driver_connection.autocommit = False
            if self.mysql:
                with fairy.driver_connection.cursor() as cursor:
                    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            fairy.close()


def _is_disconnect(engine: Engine, error: Exception, fairy: Any) -> bool:
    dbapi_error = getattr(engine.dialect.loaded_dbapi, "Error", Exception)
    if not isinstance(error, dbapi_error):
        return False
    return bool(engine.dialect.is_disconnect(error, fairy.dbapi_connection, None))
