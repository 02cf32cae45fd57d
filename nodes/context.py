"""What the reusable agents need at run time, passed as LangGraph's `context`.

Nodes read it as `runtime.context`; nothing reaches them through module globals, so a test
builds a context on a throwaway database and calls a node directly. Each workflow extends
`AgentContext` with what only its own agents use (graphs/<workflow>/context.py); the
application builds it (overture/runtime.py), also for the LangGraph server, which runs the
exported graphs with the context the application hands them (overture/server.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from langgraph.store.base import BaseStore
from sqlalchemy import Engine

from core.errors import ConfigurationError
from core.settings import Settings
from tools.executor import ToolExecutor

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


@dataclass(kw_only=True)
class AgentContext:
    """Run dependencies every workflow provides: database, settings, tools, memory."""

    engine: Engine
    """The application database (system of record, approvals, audit, ledger); migrated."""

    settings: Settings = field(default_factory=Settings)
    """Model choice, approval expiry and two-person threshold, and the workflow's limits."""

    tools: ToolExecutor | None = None
    """Runs the workflow's registered tools (policy, ledger, audit trail); a workflow's context
    builds its own registry when none is given."""

    extractor: Any | None = None
    """A `nodes.ingestion.extraction.Extractor`; None means the rules extractor."""

    memory: BaseStore | None = None
    """Overture's case memory (SQL + FAISS, memory/store.py), for a run whose own store cannot
    search by meaning; None means the run's store (`runtime.store`) only. See `case_store`."""

    @property
    def executor(self) -> ToolExecutor:
        if self.tools is None:
            raise MissingContext(f"{type(self).__name__} has no tool executor (`tools`)")
        return self.tools


class MissingContext(ConfigurationError):
    """A node ran without the context its workflow needs."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"{problem}; run the graph through the application (overture.runtime.open_app, "
            "or the server's exported graphs in overture/server.py), or pass "
            "`context=` to invoke/stream"
        )


ContextT = TypeVar("ContextT", bound=AgentContext)


def require_context(runtime: Runtime[Any], kind: type[ContextT]) -> ContextT:
    """The run's context as `kind`, or `MissingContext` naming what was passed instead."""
    context = runtime.context
    if isinstance(context, kind):
        return context
    raise MissingContext(f"this node needs a {kind.__name__}, got {type(context).__name__}")


def case_store(runtime: Runtime[Any]) -> BaseStore | None:
    """The store past cases are remembered in and recalled from.

    The run's own store (`runtime.store`) when it has a vector index: the CLI's and
    `langgraph dev`'s are Overture's SQL + FAISS store. Aegra hands every graph its own
    AsyncPostgresStore instead, without an index here (pgvector is not installable), whose
    search ignores meaning; then the context's `memory`, Overture's store on the same database.
    """
    store = runtime.store
    memory = require_context(runtime, AgentContext).memory
    if memory is not None and (store is None or not getattr(store, "index_config", None)):
        return memory
    return store


def thread_id_of(runtime: Runtime[Any]) -> str:
    """The checkpointer's thread id; 'no-thread' when run without persistence (tests)."""
    info = runtime.execution_info
    return (info.thread_id if info else None) or "no-thread"
