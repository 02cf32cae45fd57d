"""What `langgraph.json` plugs into the LangGraph server: graphs, SQL checkpointer, store.

Both are async context managers on the one `OVERTURE_DATABASE_URL`, so a thread started by the
server lives in the same tables as one started by the CLI or a notebook, and survives the
server (the dev server's own `.langgraph_api/` files hold only its thread and run registry).
The server enters each once per event loop and exits it at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

from langgraph.graph.state import CompiledStateGraph

from core.db import make_async_engine
from core.settings import get_settings
from graphs.accounts_payable import graph as _accounts_payable
from graphs.accounts_payable.state import STATE_TYPES
from graphs.supervisor import graph as _supervisor
from graphs.supervisor.agents import SUPERVISOR_STATE_TYPES
from memory.checkpoint import AsyncSQLCheckpointer
from memory.store import SQLVectorStore, lifespan_store
from observability.tracing import server_tracing_config
from overture.models import model_spec
from overture.runtime import checkpoint_serde, default_context

SERDE_ALLOWLIST = frozenset(
    (cls.__module__, cls.__name__) for cls in STATE_TYPES + SUPERVISOR_STATE_TYPES
)
"""Overture's state models, for a server saver's msgpack allowlist (`checkpoint_serde` is the
same list for the SQL saver)."""


class ServedGraph(CompiledStateGraph[Any, Any, Any, Any]):
    """A compiled graph that keeps its msgpack allowlist through `copy()`.

    Under `LANGGRAPH_STRICT_MSGPACK=true` LangGraph loads a checkpoint only with the types a
    graph registered: `compile()` collects them from the schemas and every run applies them
    to the saver (`saver.with_allowlist`). But `copy()` rebuilds the graph through its
    constructor and drops them (langgraph 1.2.24), and a server copies on every run: Aegra to
    inject its own AsyncPostgresSaver, which has no serde setting of its own. So a resumed
    run's state would not load (its models blocked). This class carries the list across.
    """

    def copy(self, update: dict[str, Any] | None = None) -> Self:
        clone = super().copy(update)
        clone._serde_allowlist = self._serde_allowlist
        return clone


def for_server(
    graph: CompiledStateGraph[Any, Any, Any, Any],
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The exported `graph` as the server must run it: without a context schema.

    The server passes every run a context dict (`{}` when the client sends none), which
    LangGraph would coerce into `Context` and fail: `Context` holds live objects (engine,
    tool executor) no client can send. Nor should a client steer them: a coerced context could
    carry its own `settings` (an approval threshold of a billion). Without a schema the dict
    reaches nodes as-is, `context_of()` ignores it, and they run on `default_context()`, built
    from the server's own `OVERTURE_*` settings. The copy is a `ServedGraph`, which registers
    Overture's state models with whatever saver the server injects.
    """
    served = graph.copy(update={"context_schema": None})
    served.__class__ = ServedGraph  # same attributes; only `copy` differs
    served._serde_allowlist = set(graph._serde_allowlist or ()) | SERDE_ALLOWLIST
    # server runs are traced to the SQL sink like CLI runs (overture.runtime `App.config`)
    tracing = server_tracing_config(
        graph.name, lambda: default_context().engine, strategy=model_spec(get_settings())
    )
    return served.with_config(tracing)


accounts_payable = for_server(_accounts_payable.graph)
"""`langgraph.json` graph `accounts_payable`."""

supervisor = for_server(_supervisor.graph)
"""`langgraph.json` graph `supervisor`."""


@asynccontextmanager
async def checkpointer() -> AsyncIterator[AsyncSQLCheckpointer]:
    """The async SQL checkpointer (`langgraph.json` `checkpointer.path`).

    Also migrates the application tables before the first request: the auth handler looks
    tokens up in them, and the graph's nodes expect them.
    """
    settings = get_settings()
    await asyncio.to_thread(default_context)  # opens and migrates the application engine
    engine = make_async_engine(
        settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous
    )
    saver = AsyncSQLCheckpointer(engine, serde=checkpoint_serde())
    try:
        await saver.asetup()
        yield saver
    finally:
        await engine.dispose()


@asynccontextmanager
async def store() -> AsyncIterator[SQLVectorStore]:
    """The long-term memory store, SQL rows + FAISS (`langgraph.json` `store.path`)."""
    async with lifespan_store(get_settings()) as memory:
        yield memory
