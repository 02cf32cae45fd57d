"""What the accounts-payable agents need at run time, passed as LangGraph's `context`.

Nodes read it as `runtime.context`; nothing reaches them through module globals, so a test
builds a `Context` on a throwaway database and calls a node directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langgraph.store.base import BaseStore
from sqlalchemy import Engine

from core.settings import Settings
from graphs.accounts_payable.tools import accounts_payable_registry
from tools.executor import ToolExecutor
from tools.integrations.payments import PaymentGateway
from tools.integrations.read_tools import read_only_tools
from tools.registry import ToolRegistry

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


@dataclass(kw_only=True)
class Context:
    """Run dependencies of the accounts-payable graph."""

    engine: Engine
    """The application database (system of record, approvals, audit, payments); migrated."""

    settings: Settings = field(default_factory=Settings)
    """Thresholds and tolerances (`approval_threshold`, `price_tolerance`) and model choice."""

    extractor: Any | None = None
    """A `nodes.ingestion.extraction.Extractor`; None means the rules extractor (see nodes/ingestion)."""

    payments: PaymentGateway | None = None
    """The payment API; None means the SQL fake on `engine` (tools/payments)."""

    tools: ToolExecutor | None = None
    """Runs registered tools (policy, ledger, audit trail); None means the accounts-payable
    registry (tools/catalog.py) over `payments` and `engine`."""

    verification_model: BaseChatModel | None = None
    """The `llm` verification strategy's model; None means rules only (nodes/verification)."""

    audit_model: BaseChatModel | None = None
    """The `llm` audit strategy's model; None means the template summary (nodes/audit)."""

    read_tools: ToolExecutor | None = None
    """The read-only record tools an LLM agent may call; None means tools/read_tools.py."""

    memory: BaseStore | None = None
    """Overture's case memory (SQL + FAISS, memory/store.py), for a run whose own store cannot
    search by meaning; None means the run's store (`runtime.store`) only. See `case_store`."""

    def __post_init__(self) -> None:
        if self.payments is None:
            self.payments = PaymentGateway(self.engine)
        if self.tools is None:
            registry = accounts_payable_registry(self.payments, self.settings)
            self.tools = ToolExecutor(registry, self.engine)
        if self.read_tools is None:
            self.read_tools = ToolExecutor(ToolRegistry(read_only_tools(self.engine)), self.engine)

    @property
    def executor(self) -> ToolExecutor:
        assert self.tools is not None  # set in __post_init__
        return self.tools

    @property
    def payment_gateway(self) -> PaymentGateway:
        assert self.payments is not None  # set in __post_init__
        return self.payments


def context_of(runtime: Runtime[Context]) -> Context:
    """The run's context; under the LangGraph server (no context passed) the default one.

    The server invokes the exported `graph` without a context, so the dependencies are built
    once per process from `OVERTURE_*` settings (overture.runtime.default_context).
    """
    if isinstance(runtime.context, Context):
        return runtime.context
    from overture.runtime import default_context  # lazy: runtime imports the graph

    return default_context()


def case_store(runtime: Runtime[Context]) -> BaseStore | None:
    """The store past cases are remembered in and recalled from.

    The run's own store (`runtime.store`) when it has a vector index: the CLI's and
    `langgraph dev`'s are Overture's SQL + FAISS store. Aegra hands every graph its own
    AsyncPostgresStore instead, without an index here (pgvector is not installable), whose
    search ignores meaning; then the context's `memory`, Overture's store on the same database.
    """
    store = runtime.store
    memory = context_of(runtime).memory
    if memory is not None and (store is None or not getattr(store, "index_config", None)):
        return memory
    return store
