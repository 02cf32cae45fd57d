"""How SQLCheckpointer stores checkpoints: once per channel version, upserts, ordering, setup."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.base.id import uuid6
from sqlalchemy import func, select

from core.db import make_async_engine, make_engine
from memory.checkpoint import AsyncSQLCheckpointer, SQLCheckpointer
from memory.checkpoint.base import MIGRATIONS, applied_version, blobs, checkpoints, writes
from memory.errors import CheckpointerModeError

DOCUMENT = "invoice text " * 800  # ~10 KB: stored as a blob, not inline


@pytest.fixture
def saver(sqlite_url: str) -> Iterator[SQLCheckpointer]:
    engine = make_engine(sqlite_url)
    saver = SQLCheckpointer(engine)
    saver.setup()
    yield saver
    saver.close()
    engine.dispose()


def put_step(
    saver: SQLCheckpointer,
    config: dict[str, Any],
    values: dict[str, Any],
    versions: dict[str, str],
    new: dict[str, str],
    step: int,
) -> dict[str, Any]:
    checkpoint = empty_checkpoint()
    checkpoint["id"] = str(uuid6(clock_seq=step))
    checkpoint["channel_values"] = values
    checkpoint["channel_versions"] = versions
    return saver.put(config, checkpoint, {"source": "loop", "step": step}, new)


def count(saver: SQLCheckpointer, table: Any, *where: Any) -> int:
    with saver.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_an_unchanged_channel_is_stored_once(saver: SQLCheckpointer) -> None:
    config: dict[str, Any] = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    doc_version = saver.get_next_version(None, None)
    versions = {"document": doc_version}
    new = {"document": doc_version}
    for step in range(5):
        step_version = saver.get_next_version(None, None)
        config = put_step(
            saver,
            config,
            {"document": DOCUMENT, "log": [step]},
            {**versions, "log": step_version},
            {**new, "log": step_version},
            step,
        )
        new = {}

    assert count(saver, blobs, blobs.c.channel == "document") == 1
    assert count(saver, checkpoints) == 5
    assert saver.get_tuple(config).checkpoint["channel_values"]["document"] == DOCUMENT


def test_a_large_value_new_at_a_put_is_in_its_row_and_carried_over_through_one_blob(
    saver: SQLCheckpointer,
) -> None:
    config: dict[str, Any] = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    doc_version = saver.get_next_version(None, None)
    first = put_step(
        saver,
        config,
        {"document": DOCUMENT},
        {"document": doc_version},
        {"document": doc_version},
        0,
    )
    assert count(saver, blobs) == 0  # one row for the put, as SqliteSaver writes
    configs = [first]
    for step in range(1, 4):
        configs.append(
            put_step(
                saver, configs[-1], {"document": DOCUMENT}, {"document": doc_version}, {}, step
            )
        )
    assert count(saver, blobs, blobs.c.channel == "document") == 1
    for each in configs:
        assert saver.get_tuple(each).checkpoint["channel_values"]["document"] == DOCUMENT

    saver.prune(["t"], strategy="keep_latest")
    assert saver.get_tuple(config).checkpoint["channel_values"]["document"] == DOCUMENT


def test_putting_a_checkpoint_again_updates_it_in_place(saver: SQLCheckpointer) -> None:
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    checkpoint = empty_checkpoint()
    saver.put(config, checkpoint, {"step": 1}, {})
    stored = saver.put(config, checkpoint, {"step": 2}, {})

    assert count(saver, checkpoints) == 1
    assert saver.get_tuple(stored).metadata["step"] == 2


def test_a_retried_task_keeps_its_first_writes_but_special_writes_are_replaced(
    saver: SQLCheckpointer,
) -> None:
    stored = saver.put(
        {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}, empty_checkpoint(), {}, {}
    )
    saver.put_writes(stored, [("out", "first")], "task-1")
    saver.put_writes(stored, [("out", "second")], "task-1")
    saver.put_writes(stored, [("__error__", "boom")], "task-2")
    saver.put_writes(stored, [("__error__", "boom again")], "task-2")

    pending = {(t, c): v for t, c, v in saver.get_tuple(stored).pending_writes}
    assert pending == {("task-1", "out"): "first", ("task-2", "__error__"): "boom again"}


def test_pending_writes_come_back_in_task_path_order(saver: SQLCheckpointer) -> None:
    stored = saver.put(
        {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}, empty_checkpoint(), {}, {}
    )
    saver.put_writes(stored, [("c", 1), ("c", 2)], "z-task", task_path="~__pregel_pull, b")
    saver.put_writes(stored, [("c", 0)], "a-task", task_path="~__pregel_pull, c")
    saver.put_writes(stored, [("c", -1)], "m-task", task_path="")

    values = [v for _, _, v in saver.get_tuple(stored).pending_writes]
    assert values == [-1, 1, 2, 0]


def test_list_filters_on_nested_metadata_exactly(saver: SQLCheckpointer) -> None:
    base = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    for step, tags in enumerate([{"a": 1}, {"a": 1, "b": 2}]):
        checkpoint = empty_checkpoint()
        checkpoint["id"] = str(uuid6(clock_seq=step))
        saver.put(base, checkpoint, {"step": step, "tags": tags, "source": "loop"}, {})

    found = list(saver.list(base, filter={"source": "loop", "tags": {"a": 1}}))
    assert [t.metadata["step"] for t in found] == [0]


def test_setup_is_idempotent_and_records_the_schema_version(saver: SQLCheckpointer) -> None:
    saver.setup()
    saver.setup()

    with saver.engine.connect() as conn:
        assert applied_version(conn) == len(MIGRATIONS) - 1
    assert count(saver, writes) == 0


async def test_the_sync_saver_refuses_async_calls_and_names_the_async_one(
    saver: SQLCheckpointer,
) -> None:
    with pytest.raises(CheckpointerModeError, match="AsyncSQLCheckpointer"):
        await saver.aget_tuple({"configurable": {"thread_id": "t"}})


async def test_the_async_saver_is_set_up_with_await_setup_like_the_official_savers(
    sqlite_url: str,
) -> None:
    engine = make_async_engine(sqlite_url)
    saver = AsyncSQLCheckpointer(engine)
    try:
        await saver.setup()  # the form AsyncPostgresSaver and AsyncSqliteSaver take
        await saver.setup()
        async with engine.connect() as conn:
            version = await conn.run_sync(applied_version)
        assert version == len(MIGRATIONS) - 1
        assert await saver.aget_tuple({"configurable": {"thread_id": "t"}}) is None
    finally:
        await engine.dispose()


async def test_the_async_saver_refuses_sync_calls_on_its_loop_and_names_the_sync_one(
    sqlite_url: str,
) -> None:
    engine = make_async_engine(sqlite_url)
    saver = AsyncSQLCheckpointer(engine)
    await saver.asetup()
    try:
        with pytest.raises(CheckpointerModeError, match="SQLCheckpointer"):
            saver.get_tuple({"configurable": {"thread_id": "t"}})
        # From another thread the same call is handed to the saver's loop and works.
        assert (
            await asyncio.to_thread(saver.get_tuple, {"configurable": {"thread_id": "t"}}) is None
        )
    finally:
        await engine.dispose()
