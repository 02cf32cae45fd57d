"""The langgraph-checkpoint-conformance suite, for both savers on every backend.

The suite calls only async methods; the sync saver runs through `SyncAdapter`, which hands each
async call to `asyncio.to_thread`, so what is tested is the sync code path on a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES
from langgraph.checkpoint.conformance.report import CapabilityReport

from core.db import make_async_engine, make_engine
from memory.checkpoint import AsyncSQLCheckpointer, SQLCheckpointer

pytestmark = pytest.mark.integration


class SyncAdapter(SQLCheckpointer):
    """SQLCheckpointer whose async methods run the sync ones on a worker thread."""

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await asyncio.to_thread(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
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
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await asyncio.to_thread(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await asyncio.to_thread(self.prune, thread_ids, strategy=strategy)


def assert_full_conformance(report: CapabilityReport) -> None:
    failures = {name: r.failures for name, r in report.results.items() if r.failures}
    assert report.passed_all_base(), failures
    not_run = sorted(
        cap.value
        for cap in ALL_CAPABILITIES
        if cap.value not in report.results
        or not report.results[cap.value].detected
        or report.results[cap.value].passed is not True
        or report.results[cap.value].tests_skipped
    )
    assert not_run == [], f"capabilities skipped, undetected or failing: {not_run}; {failures}"
    assert sum(r.tests_passed for r in report.results.values()) == 81


async def test_async_saver_passes_every_capability(db_url: str) -> None:
    engine = make_async_engine(db_url)
    await AsyncSQLCheckpointer(engine).asetup()

    @checkpointer_test(name="AsyncSQLCheckpointer")
    async def factory() -> AsyncGenerator[BaseCheckpointSaver, None]:
        yield AsyncSQLCheckpointer(engine)

    try:
        assert_full_conformance(await validate(factory))
    finally:
        await engine.dispose()


async def test_sync_saver_passes_every_capability(db_url: str) -> None:
    engine = make_engine(db_url)
    SyncAdapter(engine).setup()

    @checkpointer_test(name="SQLCheckpointer")
    async def factory() -> AsyncGenerator[BaseCheckpointSaver, None]:
        yield SyncAdapter(engine)

    try:
        assert_full_conformance(await validate(factory))
    finally:
        engine.dispose()
