"""What `langgraph.json` plugs into the LangGraph server: graphs, SQL checkpointer, store.

Both are async context managers on the one `OVERTURE_DATABASE_URL`, so a thread started by the
server lives in the same tables as one started by the CLI or a notebook, and survives the
server (the dev server's own `.langgraph_api/` files hold only its thread and run registry).
The server enters each once per event loop and exits it at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Self, cast

from langgraph.graph.state import CompiledStateGraph

from core.db import make_async_engine
from core.settings import get_settings
from graphs.accounts_payable import graph as _accounts_payable
from graphs.procurement import graph as _procurement
from graphs.supervisor import graph as _supervisor
from memory.checkpoint import AsyncSQLCheckpointer
from memory.store import SQLVectorStore, lifespan_store
from nodes.context import AgentContext
from observability.tracing import server_tracing_config
from overture.models import model_spec
from overture.runtime import checkpoint_serde, served_context, served_engine
from overture.workflows import all_state_types, workflow_spec

SERDE_ALLOWLIST = frozenset((cls.__module__, cls.__name__) for cls in all_state_types())
"""Overture's state models, for a server saver's msgpack allowlist (`checkpoint_serde` is the
same list for the SQL saver)."""


class ServedGraph(CompiledStateGraph[Any, Any, Any, Any]):
    """A compiled graph as a server runs it: on the application's context, whatever the
    client sent, and with its msgpack allowlist kept through `copy()`.

    The server passes every run a context dict (`{}` when the client sends none). A client
    must not steer the run's dependencies (a context carrying its own `settings` could set an
    approval threshold of a billion), and no client can send live objects (engine, tool
    executor) anyway; so every run gets the context the application built for the workflow
    (overture.runtime `served_context`), the same objects a CLI run gets from `open_app`.

    Under `LANGGRAPH_STRICT_MSGPACK=true` LangGraph loads a checkpoint only with the types a
    graph registered: `compile()` collects them from the schemas and every run applies them
    to the saver (`saver.with_allowlist`). But `copy()` rebuilds the graph through its
    constructor and drops them (langgraph 1.2.24), and a server copies on every run: Aegra to
    inject its own AsyncPostgresSaver, which has no serde setting of its own. So a resumed
    run's state would not load (its models blocked). This class carries the list across.
    """

    served_context: Callable[[], AgentContext]

    def copy(self, update: dict[str, Any] | None = None) -> Self:
        clone = super().copy(update)
        clone._serde_allowlist = self._serde_allowlist
        clone.served_context = self.served_context
        return clone

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return super().stream(*args, **{**kwargs, "context": self.served_context()})

    def astream(self, *args: Any, **kwargs: Any) -> Any:
        return super().astream(*args, **{**kwargs, "context": self.served_context()})


def for_server(workflow: str, graph: CompiledStateGraph[Any, Any, Any, Any]) -> ServedGraph:
    """The exported `graph` of `workflow` as the server must run it: without a context schema
    (the client's dict is never coerced into one), on the application's context, with
    Overture's state models registered for whatever saver the server injects, and traced to
    the SQL sink like CLI runs (overture.runtime `App.config`)."""
    served = graph.copy(update={"context_schema": None})
    served.__class__ = ServedGraph  # same attributes; only `copy` and streaming differ
    assert isinstance(served, ServedGraph)
    served._serde_allowlist = set(graph._serde_allowlist or ()) | SERDE_ALLOWLIST
    served.served_context = lambda: served_context(workflow)
    tracing = server_tracing_config(
        workflow,
        lambda: served_engine()[0],
        strategy=model_spec(get_settings()),
        prompt_versions=workflow_spec(workflow).prompt_versions,
    )
    return cast(ServedGraph, served.with_config(tracing))


accounts_payable = for_server("accounts_payable", _accounts_payable.graph)
"""`langgraph.json` graph `accounts_payable`."""

supervisor = for_server("supervisor", _supervisor.graph)
"""`langgraph.json` graph `supervisor`."""

procurement = for_server("procurement", _procurement.graph)
"""`langgraph.json` graph `procurement`."""


@asynccontextmanager
async def checkpointer() -> AsyncIterator[AsyncSQLCheckpointer]:
    """The async SQL checkpointer (`langgraph.json` `checkpointer.path`).

    Also migrates the application tables before the first request: the auth handler looks
    tokens up in them, and the graph's nodes expect them.
    """
    settings = get_settings()
    await asyncio.to_thread(served_engine)  # opens and migrates the application engine
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
