"""The workflows this application runs: each a graph package plus how its context is built.

A workflow is a package under `graphs/` (its `graph.py` wires the agents). The application
knows each by name: how to compile it, how to build the context its nodes read as
`runtime.context` (models chosen by settings), which state types its checkpoints may hold,
and which prompt versions its traces are tagged with. Adding a workflow is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from sqlalchemy import Engine

from core.errors import ConfigurationError
from core.settings import Settings
from graphs.accounts_payable import graph as accounts_payable
from graphs.accounts_payable import prompts as accounts_payable_prompts
from graphs.accounts_payable.context import Context
from graphs.accounts_payable.state import STATE_TYPES
from graphs.procurement import graph as procurement
from graphs.procurement.books import load_books, settle
from graphs.procurement.context import ProcurementContext
from graphs.procurement.state import STATE_TYPES as PROCUREMENT_STATE_TYPES
from graphs.supervisor import graph as supervisor
from graphs.supervisor import prompts as supervisor_prompts
from graphs.supervisor.agents import SUPERVISOR_STATE_TYPES, SupervisorContext
from graphs.supervisor.planning import LLMPlanner, RulesPlanner
from nodes.context import AgentContext
from nodes.ingestion import prompts as ingestion_prompts
from nodes.ingestion.extraction import RulesExtractor
from nodes.ingestion.llm_extraction import LLMExtractor
from overture.models import make_chat_model
from tools import obligations

Graph = CompiledStateGraph[Any, Any, Any, Any]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@dataclass(frozen=True)
class WorkflowSpec:
    """What the application needs to know of one workflow package."""

    name: str
    build_graph: Callable[[BaseCheckpointSaver | None, BaseStore | None], Graph]
    build_context: Callable[[Engine, Settings, BaseStore | None], AgentContext]
    state_types: tuple[type, ...]
    prompt_versions: Mapping[str, str]
    thread_prefix: str
    """New threads of the workflow start with it (`overture show` tells workflows apart)."""
    migrations: Path | None = None
    """The workflow's own Alembic branch, when it keeps tables of its own."""
    seed: Callable[[Engine], None] | None = None
    """Loads the workflow's sample books (`overture seed`, the demo, the notebooks)."""
    release: Callable[[Engine, str, str], None] | None = None
    """Frees what a run holds (its obligation) when it can no longer finish: (engine, thread
    id, outcome); `overture recover` calls it for a request no run waits on any more."""
    extracted: str = "invoice"
    """The state key holding what the workflow read from its document (evaluation scores it)."""


class UnknownWorkflow(ConfigurationError, LookupError):
    """A workflow name that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        super().__init__(f"no workflow {name!r}; choose one of {', '.join(known)}")


def extractor_for(settings: Settings) -> Any:
    """The ingestion strategy: the LLM extractor (rules behind it) when a model is set."""
    model = make_chat_model(settings, "ingestion")
    if model is None:
        return None
    return LLMExtractor(model, RulesExtractor(), repairs=settings.llm_repairs)


def accounts_payable_context(
    engine: Engine, settings: Settings, memory: BaseStore | None = None
) -> Context:
    """The accounts-payable context with each agent's strategy from settings."""
    return Context(
        engine=engine,
        settings=settings,
        memory=memory,
        extractor=extractor_for(settings),
        verification_model=make_chat_model(settings, "verification"),
        audit_model=make_chat_model(settings, "audit"),
    )


def supervisor_context(
    engine: Engine, settings: Settings, memory: BaseStore | None = None
) -> SupervisorContext:
    """The supervisor's context over the accounts-payable one; the planner from settings."""
    model = make_chat_model(settings, "supervisor")
    planner = LLMPlanner(model) if model is not None else RulesPlanner()
    return SupervisorContext.extending(accounts_payable_context(engine, settings, memory), planner)


def procurement_context(
    engine: Engine, settings: Settings, memory: BaseStore | None = None
) -> ProcurementContext:
    """The procurement context; its limits from `OVERTURE_PROCUREMENT_*`."""
    return ProcurementContext(engine=engine, settings=settings, memory=memory)


def _graph(module: Any) -> Callable[[BaseCheckpointSaver | None, BaseStore | None], Graph]:
    return lambda checkpointer, store: module.build_graph(checkpointer=checkpointer, store=store)


WORKFLOWS: dict[str, WorkflowSpec] = {
    spec.name: spec
    for spec in (
        WorkflowSpec(
            name="accounts_payable",
            build_graph=_graph(accounts_payable),
            build_context=accounts_payable_context,
            state_types=STATE_TYPES,
            prompt_versions={
                **ingestion_prompts.PROMPT_VERSIONS,
                **accounts_payable_prompts.PROMPT_VERSIONS,
            },
            thread_prefix="ap-",
            release=obligations.close,
        ),
        WorkflowSpec(
            name="supervisor",
            build_graph=_graph(supervisor),
            build_context=supervisor_context,
            state_types=STATE_TYPES + SUPERVISOR_STATE_TYPES,
            prompt_versions={
                **ingestion_prompts.PROMPT_VERSIONS,
                **accounts_payable_prompts.PROMPT_VERSIONS,
                **supervisor_prompts.PROMPT_VERSIONS,
            },
            thread_prefix="sup-",
            release=obligations.close,
        ),
        WorkflowSpec(
            name="procurement",
            build_graph=_graph(procurement),
            build_context=procurement_context,
            state_types=PROCUREMENT_STATE_TYPES,
            prompt_versions={},
            thread_prefix="pr-",
            migrations=Path(procurement.__file__).parent / "migrations",
            seed=lambda engine: load_books(engine, EXAMPLES / "procurement" / "books.json"),
            extracted="request",
            release=lambda engine, thread_id, _: settle(engine, thread_id, "closed"),
        ),
    )
}
"""Every workflow the CLI, the notebooks and the servers run, by name."""


def workflow_spec(name: str) -> WorkflowSpec:
    """The registered workflow `name`, or `UnknownWorkflow` listing the known ones."""
    try:
        return WORKFLOWS[name]
    except KeyError:
        raise UnknownWorkflow(name, sorted(WORKFLOWS)) from None


def all_state_types() -> tuple[type, ...]:
    """Every workflow's state models, for the checkpoint serializer's msgpack allowlist."""
    return tuple(dict.fromkeys(t for spec in WORKFLOWS.values() for t in spec.state_types))


def workflow_migrations() -> list[Path]:
    """The Alembic branches of the workflows that keep tables of their own."""
    return [spec.migrations for spec in WORKFLOWS.values() if spec.migrations is not None]


def seed_workflows(engine: Engine) -> list[str]:
    """Load every workflow's own sample books (`overture seed`, the demo, evaluation); the
    names of the workflows seeded."""
    seeded = [spec for spec in WORKFLOWS.values() if spec.seed is not None]
    for spec in seeded:
        assert spec.seed is not None
        spec.seed(engine)
    return [spec.name for spec in seeded]
