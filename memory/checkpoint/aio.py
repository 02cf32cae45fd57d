"""`AsyncSQLCheckpointer`: the asyncio saver, over a SQLAlchemy `AsyncEngine`.

Same plans as `SQLCheckpointer`, run by the same driver on SQLAlchemy's adapted DBAPI
connection inside `AsyncConnection.run_sync` (its awaits happen through greenlets). Its sync
methods work from other threads (they hand the call to the saver's event loop, as
AsyncPostgresSaver does), and fail with a clear message on the loop's own thread, where
waiting would deadlock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_async_engine
from memory.checkpoint import plans
from memory.checkpoint.base import migrate, next_version
from memory.checkpoint.driver import Compiler, run_transaction
from memory.checkpoint.statements import statements
from memory.errors import CheckpointerModeError

T = TypeVar("T")


class AsyncSQLCheckpointer(BaseCheckpointSaver[str]):
    """Checkpoints in SQLite, PostgreSQL or MariaDB/MySQL for async graphs.

    >>> async with AsyncSQLCheckpointer.from_url("postgresql+psycopg://u@host/db") as saver:
    ...     await saver.setup()
    ...     graph = builder.compile(checkpointer=saver)
    """

    def __init__(self, engine: AsyncEngine, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self.engine = engine
        self.statements = statements(engine.dialect.name)
        self._compile = Compiler(engine.dialect)
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None

    @classmethod
    @asynccontextmanager
    async def from_url(
        cls, url: str | URL, **engine_kwargs: Any
    ) -> AsyncIterator[AsyncSQLCheckpointer]:
        """A saver on a new async engine for `url`, disposed of on exit."""
        engine = make_async_engine(url, **engine_kwargs)
        try:
            yield cls(engine)
        finally:
            await engine.dispose()

    async def asetup(self) -> None:
        """Create or migrate the tables; safe to call at every start."""
        async with self.engine.begin() as conn:
            await conn.run_sync(migrate)

    async def _run(self, plan: plans.Plan[Any], commit: bool) -> Any:
        self.loop = self.loop or asyncio.get_running_loop()

        def run(conn: Connection) -> Any:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None  # None only once the connection is invalidated or closed
            return run_transaction(dbapi, self._compile, plan, commit)

        async with self.engine.connect() as conn:
            return await conn.run_sync(run)

    async def _write(self, plan: plans.Plan[Any]) -> Any:
        return await self._run(plan, commit=True)

    async def _read(self, plan: plans.Plan[Any]) -> Any:
        return await self._run(plan, commit=False)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._read(plans.get_tuple(self.statements, self.serde, config))

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await self._read(
            plans.list_tuples(self.statements, self.serde, config, filter, before, limit)
        )
        for item in found:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await self._write(
            plans.put(self.statements, self.serde, config, checkpoint, metadata, new_versions)
        )

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await self._write(
            plans.put_writes(self.statements, self.serde, config, writes, task_id, task_path)
        )

    async def adelete_thread(self, thread_id: str) -> None:
        await self._write(plans.delete_thread(self.statements, thread_id))

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await self._write(plans.delete_for_runs(self.statements, self.serde, run_ids))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await self._write(plans.copy_thread(self.statements, source_thread_id, target_thread_id))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await self._write(plans.prune(self.statements, self.serde, thread_ids, strategy))

    def get_next_version(self, current: str | None, channel: None) -> str:
        return next_version(current)

    # The sync interface: only from another thread than the saver's event loop.

    def _bridge(self, method: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and (self.loop is None or running is self.loop):
            raise CheckpointerModeError(
                "AsyncSQLCheckpointer",
                method,
                f"`await saver.a{method}(...)` / graph.ainvoke, or SQLCheckpointer for sync code",
                "a sync call on the event loop's thread would block the loop it waits for",
            )
        if self.loop is None or self.loop.is_closed():
            raise CheckpointerModeError(
                "AsyncSQLCheckpointer",
                method,
                "SQLCheckpointer (memory.checkpoint) with a sync engine",
                "the saver has no running event loop to hand the call to",
            )

        async def run() -> T:
            return await call()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._bridge("get_tuple", lambda: self.aget_tuple(config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        plan = plans.list_tuples(self.statements, self.serde, config, filter, before, limit)
        yield from self._bridge("list", lambda: self._read(plan))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._bridge("put", lambda: self.aput(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._bridge("put_writes", lambda: self.aput_writes(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._bridge("delete_thread", lambda: self.adelete_thread(thread_id))

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._bridge("delete_for_runs", lambda: self.adelete_for_runs(run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._bridge("copy_thread", lambda: self.acopy_thread(source_thread_id, target_thread_id))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._bridge("prune", lambda: self.aprune(thread_ids, strategy=strategy))

    def setup(self) -> Awaitable[None] | None:
        """`await saver.setup()`, as the official async savers (AsyncPostgresSaver,
        AsyncSqliteSaver) are set up; the same as `await saver.asetup()`. Called from another
        thread than a running loop, it sets up synchronously (handed to the saver's loop)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._bridge("setup", self.asetup)
            return None
        return self.asetup()
