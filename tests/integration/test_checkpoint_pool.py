"""SQLCheckpointer and the engine's pool: more callers than connections, copies into used threads.

The regression behind the first test: the saver kept used connections on a free list of its
own, so callers beyond the pool's capacity waited in the pool for connections parked outside
it, and the 8-thread bench died with "QueuePool limit of size 8 overflow 10 reached".
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.base.id import uuid6

from core.db import make_engine
from memory.checkpoint import SQLCheckpointer, ThreadNotEmpty
from tests.databases import throwaway_database

pytestmark = pytest.mark.integration

POOL = {"pool_size": 2, "max_overflow": 0, "pool_timeout": 5}


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def small_pool_saver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLCheckpointer]:
    """A saver on a fresh database whose engine has a pool of two connections, no overflow."""
    with throwaway_database(request.param, tmp_path) as url:
        engine = make_engine(url, pool_pre_ping=False, **POOL)
        saver = SQLCheckpointer(engine)
        saver.setup()
        yield saver
        saver.close()
        engine.dispose()


def put_one(saver: SQLCheckpointer, thread_id: str, step: int = 0) -> Any:
    checkpoint = empty_checkpoint()
    checkpoint["id"] = str(uuid6(clock_seq=step))
    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    return saver.put(config, checkpoint, {"step": step}, {})


def test_many_short_lived_threads_share_a_pool_of_two(small_pool_saver: SQLCheckpointer) -> None:
    """24 threads, 6 at a time, on 2 connections: every call completes, none stays checked out."""
    saver = small_pool_saver
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for step in range(5):
                stored = put_one(saver, str(uuid.uuid4()), step)
                saver.put_writes(stored, [("channel", step)], "task")
                assert saver.get_tuple(stored) is not None
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    for _ in range(4):
        wave = [threading.Thread(target=work) for _ in range(6)]
        for thread in wave:
            thread.start()
        for thread in wave:
            thread.join()

    assert errors == []
    assert saver.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_copying_into_a_thread_with_checkpoints_is_refused_and_changes_nothing(
    small_pool_saver: SQLCheckpointer,
) -> None:
    saver = small_pool_saver
    put_one(saver, "source", 0)
    put_one(saver, "target", 1)

    with pytest.raises(ThreadNotEmpty) as refused:
        saver.copy_thread("source", "target")

    assert (refused.value.source_thread_id, refused.value.target_thread_id) == ("source", "target")
    assert "delete_thread" in str(refused.value)
    target = list(saver.list({"configurable": {"thread_id": "target"}}))
    assert [t.metadata["step"] for t in target] == [1]
    saver.delete_thread("target")
    saver.copy_thread("source", "target")
    assert [t.metadata["step"] for t in saver.list({"configurable": {"thread_id": "target"}})] == [
        0
    ]
