"""Wiring: settings -> engine (migrated) -> SQL checkpointer -> compiled graph + Context.

Every entry point (CLI, notebooks, bench, tests) opens an `App` here, so they all run the
same graph on the same database the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph.state import CompiledStateGraph
from sqlalchemy import Engine, text

from core.db import make_engine
from core.errors import DatabaseUnavailable
from core.settings import Settings, get_settings
from graphs.accounts_payable.context import Context
from graphs.accounts_payable.graph import build_graph
from graphs.accounts_payable.state import STATE_TYPES, InputState, OutputState, State
from graphs.supervisor.agents import (
    SUPERVISOR_STATE_TYPES,
    SupervisorContext,
    SupervisorInput,
    SupervisorState,
)
from graphs.supervisor.graph import build_graph as build_supervisor
from graphs.supervisor.planning import LLMPlanner, RulesPlanner
from memory.checkpoint import SQLCheckpointer
from memory.store import SQLVectorStore, configured_store
from nodes.ingestion.extraction import RulesExtractor
from nodes.ingestion.llm_extraction import LLMExtractor
from observability.tracing import tracing_config
from overture.models import make_chat_model, model_spec
from tools.migrate import upgrade

SUPERVISOR_THREAD_PREFIX = "sup-"
"""Threads of the supervisor graph start with this; every other thread is accounts payable."""


def is_supervisor_thread(thread_id: str) -> bool:
    """Whether `thread_id` runs the supervisor graph (rather than accounts payable)."""
    return thread_id.startswith(SUPERVISOR_THREAD_PREFIX)


@dataclass
class App:
    """One process's Overture: the database, the durable graph and its run context."""

    settings: Settings
    engine: Engine
    checkpointer: BaseCheckpointSaver
    store: SQLVectorStore
    graph: CompiledStateGraph[State, Context, InputState, OutputState]
    context: Context
    supervisor: CompiledStateGraph[
        SupervisorState, SupervisorContext, SupervisorInput, SupervisorState
    ]
    supervisor_context: SupervisorContext

    def graph_for(
        self, thread_id: str
    ) -> tuple[CompiledStateGraph[Any, Any, Any, Any], Context | SupervisorContext]:
        """The workflow a thread belongs to, by its id's prefix (`service.new_thread_id`).

        Either graph with its own context; a tuple type cannot tie the two together, so the
        graph's type parameters are left open.
        """
        if is_supervisor_thread(thread_id):
            return self.supervisor, self.supervisor_context
        return self.graph, self.context

    def config(self, thread_id: str, *, document: str | None = None) -> RunnableConfig:
        """The run config: the thread, and tracing (local SQL sink; LangSmith when its env
        vars turn it on) tagged with the thread's workflow, strategy and prompt versions."""
        return tracing_config(
            thread_id,
            "supervisor" if is_supervisor_thread(thread_id) else "accounts_payable",
            document=document,
            engine=self.engine,
            strategy=model_spec(self.settings),
        )


def checkpoint_serde() -> JsonPlusSerializer:
    """The default serializer with our state models allow-listed, so strict mode
    (LANGGRAPH_STRICT_MSGPACK=true) loads them and the default mode does not warn."""
    return JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES + SUPERVISOR_STATE_TYPES)


def open_engine(settings: Settings) -> Engine:
    """The application engine, reachable and migrated to the latest schema."""
    url = settings.resolved_database_url()
    engine = make_engine(url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect is "unavailable"
        engine.dispose()
        raise DatabaseUnavailable(engine.url.render_as_string(hide_password=True), error) from error
    upgrade(engine)
    return engine


@contextmanager
def open_app(settings: Settings | None = None) -> Iterator[App]:
    """Open the database (migrating it), the SQL checkpointer and the compiled graph."""
    settings = settings or get_settings()
    engine = open_engine(settings)
    try:
        context = build_context(engine, settings)
        saver = SQLCheckpointer(engine, serde=checkpoint_serde())
        saver.setup()
        store = configured_store(engine, settings)
        store.setup()
        yield App(
            settings=settings,
            engine=engine,
            checkpointer=saver,
            store=store,
            graph=build_graph(checkpointer=saver, store=store),
            context=context,
            supervisor=build_supervisor(checkpointer=saver, store=store),
            supervisor_context=build_supervisor_context(context),
        )
    finally:
        engine.dispose()


def build_context(
    engine: Engine, settings: Settings, memory: SQLVectorStore | None = None
) -> Context:
    """The run context with each agent's strategy from settings (`rules` unless a model is set)."""
    ingestion = make_chat_model(settings, "ingestion")
    return Context(
        engine=engine,
        settings=settings,
        memory=memory,
        extractor=(
            LLMExtractor(ingestion, RulesExtractor(), repairs=settings.llm_repairs)
            if ingestion is not None
            else None
        ),
        verification_model=make_chat_model(settings, "verification"),
        audit_model=make_chat_model(settings, "audit"),
    )


def build_supervisor_context(context: Context) -> SupervisorContext:
    """The supervisor's context over the accounts-payable one; the planner from settings."""
    model = make_chat_model(context.settings, "supervisor")
    planner = LLMPlanner(model) if model is not None else RulesPlanner()
    return SupervisorContext.extending(context, planner)


@lru_cache(maxsize=1)
def default_supervisor_context() -> SupervisorContext:
    """As `default_context`, for the supervisor graph under the server."""
    return build_supervisor_context(default_context())


@lru_cache(maxsize=1)
def default_context() -> Context:
    """The context for runs that bring none (the servers): built once per process from
    `OVERTURE_*` settings, on a migrated engine, with Overture's case memory for a server
    whose own store cannot search by meaning (Aegra's; nodes/context.py `case_store`)."""
    settings = get_settings()
    engine = open_engine(settings)
    memory = configured_store(engine, settings)
    memory.setup()
    return build_context(engine, settings, memory)
