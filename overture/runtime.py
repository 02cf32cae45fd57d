"""Wiring: settings -> engine (migrated) -> SQL checkpointer -> each workflow's graph + context.

Every entry point (CLI, notebooks, bench, tests, the servers) opens an `App` here, so they all
run the same graphs on the same database the same way. The workflows are those registered in
overture/workflows.py; the App holds them by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph.state import CompiledStateGraph
from sqlalchemy import Engine, text

from core.db import make_engine
from core.errors import DatabaseUnavailable
from core.settings import Settings, get_settings
from memory.checkpoint import SQLCheckpointer
from memory.store import SQLVectorStore, configured_store
from nodes.context import AgentContext
from observability.tracing import tracing_config
from overture.models import model_spec
from overture.workflows import (
    WORKFLOWS,
    UnknownWorkflow,
    all_state_types,
    workflow_migrations,
    workflow_spec,
)
from tools import run_log
from tools.migrate import upgrade


@dataclass(frozen=True)
class Workflow:
    """One workflow as this process runs it: its durable graph and the context of its runs."""

    name: str
    graph: CompiledStateGraph[Any, Any, Any, Any]
    context: AgentContext


@dataclass
class App:
    """One process's Overture: the database, and every registered workflow by name."""

    settings: Settings
    engine: Engine
    checkpointer: BaseCheckpointSaver
    store: SQLVectorStore
    workflows: Mapping[str, Workflow]

    def workflow(self, name: str) -> Workflow:
        """The workflow `name`, or `UnknownWorkflow` listing the registered ones."""
        try:
            return self.workflows[name]
        except KeyError:
            raise UnknownWorkflow(name, sorted(self.workflows)) from None

    def replacing(self, name: str, **changes: Any) -> App:
        """This app with workflow `name`'s `graph` or `context` replaced (a test's model, an
        attacked context, a benchmark's in-memory saver)."""
        workflow = dataclasses.replace(self.workflow(name), **changes)
        return dataclasses.replace(self, workflows={**self.workflows, name: workflow})

    def workflow_of(self, thread_id: str) -> Workflow:
        """The workflow a thread runs: as the run log recorded it, else by its id's prefix,
        else (a server thread: in no run log, no prefix) the graph its checkpoints name."""
        entry = run_log.get(self.engine, thread_id)
        if entry is not None and entry.workflow in self.workflows:
            return self.workflows[entry.workflow]
        for spec in WORKFLOWS.values():
            if thread_id.startswith(spec.thread_prefix) and spec.name in self.workflows:
                return self.workflows[spec.name]
        latest = self.checkpointer.get_tuple({"configurable": {"thread_id": thread_id}})
        graph_id = latest.metadata.get("graph_id") if latest else None
        return self.workflows.get(str(graph_id)) or self.workflow("accounts_payable")

    def config(
        self, thread_id: str, *, document: str | None = None, workflow: str | None = None
    ) -> RunnableConfig:
        """The run config: the thread, and tracing (local SQL sink; LangSmith when its env
        vars turn it on) tagged with the thread's workflow (looked up unless the caller knows
        it), strategy and prompt versions."""
        name = workflow or self.workflow_of(thread_id).name
        return tracing_config(
            thread_id,
            name,
            document=document,
            engine=self.engine,
            strategy=model_spec(self.settings),
            prompt_versions=workflow_spec(name).prompt_versions,
        )


def checkpoint_serde() -> JsonPlusSerializer:
    """The default serializer with our state models allow-listed, so strict mode
    (LANGGRAPH_STRICT_MSGPACK=true) loads them and the default mode does not warn."""
    return JsonPlusSerializer(allowed_msgpack_modules=all_state_types())


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
    upgrade(engine, locations=workflow_migrations())
    return engine


@contextmanager
def open_app(settings: Settings | None = None) -> Iterator[App]:
    """Open the database (migrating it), the SQL checkpointer and every workflow's graph."""
    settings = settings or get_settings()
    engine = open_engine(settings)
    try:
        saver = SQLCheckpointer(engine, serde=checkpoint_serde())
        saver.setup()
        store = configured_store(engine, settings)
        store.setup()
        yield App(
            settings=settings,
            engine=engine,
            checkpointer=saver,
            store=store,
            workflows={
                spec.name: Workflow(
                    spec.name,
                    spec.build_graph(saver, store),
                    spec.build_context(engine, settings, None),
                )
                for spec in WORKFLOWS.values()
            },
        )
    finally:
        engine.dispose()


@lru_cache(maxsize=1)
def served_engine() -> tuple[Engine, SQLVectorStore]:
    """The application engine and case memory of a server process, opened once from
    `OVERTURE_*` settings (the servers run the exported graphs on it: overture/server.py)."""
    settings = get_settings()
    engine = open_engine(settings)
    memory = configured_store(engine, settings)
    memory.setup()
    return engine, memory


@cache
def served_context(workflow: str) -> AgentContext:
    """The context of every run of `workflow` a server starts: built once per process, with
    Overture's case memory for a server whose own store cannot search by meaning (Aegra's;
    nodes/context.py `case_store`)."""
    engine, memory = served_engine()
    return workflow_spec(workflow).build_context(engine, get_settings(), memory)
