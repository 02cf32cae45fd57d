"""`SQLCheckpointer`: the synchronous saver, over a pooled SQLAlchemy `Engine`.

Every call checks a connection out of the engine's pool for one transaction, so one saver serves
many threads without a global lock; SQLite serialises writers itself (WAL + busy timeout).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
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
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from memory.checkpoint import plans
from memory.checkpoint.base import migrate, next_version
from memory.checkpoint.statements import statements
from overture.db import make_engine
from overture.errors import CheckpointerModeError


def drive(conn: Connection, plan: plans.Plan[Any]) -> Any:
    """Run a plan's statements on `conn`, feeding rows back; return the plan's result."""
    try:
        stmt, params, fetch = next(plan)
        while True:
            result = conn.execute(stmt, params) if params is not None else conn.execute(stmt)
            stmt, params, fetch = plan.send(result.mappings().all() if fetch else [])
    except StopIteration as done:
        return done.value


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

    @classmethod
    @contextmanager
    def from_url(cls, url: str | URL, **engine_kwargs: Any) -> Iterator[SQLCheckpointer]:
        """A saver on a new engine for `url`, disposed of on exit (like `from_conn_string`)."""
        engine = make_engine(url, **engine_kwargs)
        try:
            yield cls(engine)
        finally:
            engine.dispose()

    def setup(self) -> None:
        """Create or migrate the tables; safe to call at every start."""
        with self.engine.begin() as conn:
            migrate(conn)

    def _write(self, plan: plans.Plan[Any]) -> Any:
        with self.engine.begin() as conn:
            return drive(conn, plan)

    def _read(self, plan: plans.Plan[Any]) -> Any:
        with self.engine.connect() as conn:
            return drive(conn, plan)

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
