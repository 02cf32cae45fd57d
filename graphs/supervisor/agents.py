"""The supervisor's agents: plan, dispatch, collect, notify, finish.

The supervisor owns no side effect of its own. Invoices go through the accounts-payable graph
(its approval gateway and tool registry included), added as a subgraph node so LangGraph runs
it sync or async with the parent's checkpointer (under the server that checkpointer is
async-only, and a subgraph invoked by hand from a sync node could not use it). The summary
e-mail goes through the registry's `notify.send_email`, ledgered so a resumed run never sends
it twice. `supervise` routes with `Command(goto=...)` from the plan and the results so far.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel
from typing_extensions import TypedDict

from graphs.accounts_payable.context import Context
from graphs.supervisor.planning import LLMPlanner, PlanStep, RulesPlanner
from nodes.context import require_context
from tools.audit_log import AuditRecord
from tools.executor import CallScope, ToolExecutor
from tools.integrations.outbox import TOOL_NAME as SEND_EMAIL
from tools.integrations.outbox import email_tool
from tools.registry import ToolRegistry


@dataclass(kw_only=True)
class SupervisorContext(Context):
    """The accounts-payable context (the subgraph's agents read it as theirs) plus what
    the supervisor itself needs."""

    planner: RulesPlanner | LLMPlanner = field(default_factory=RulesPlanner)
    """Turns the goal into steps."""

    notifier: ToolExecutor | None = None
    """Runs `notify.send_email`; None means a registry holding only that tool."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.notifier is None:
            self.notifier = ToolExecutor(ToolRegistry([email_tool(self.engine)]), self.engine)

    @classmethod
    def extending(
        cls, context: Context, planner: RulesPlanner | LLMPlanner | None = None
    ) -> SupervisorContext:
        """The supervisor's context over an existing accounts-payable one."""
        shared = {f.name: getattr(context, f.name) for f in fields(Context)}
        return cls(**shared, planner=planner or RulesPlanner())


def supervisor_context_of(runtime: Runtime[SupervisorContext]) -> SupervisorContext:
    """The run's supervisor context."""
    return require_context(runtime, SupervisorContext)


class StepResult(BaseModel):
    """What one delegated step achieved."""

    step: int
    agent: str
    document: str | None = None
    status: str
    detail: str = ""


class SupervisorInput(TypedDict):
    goal: str
    """The user's goal in plain words, e.g. "pay every Nordwind invoice and e-mail me"."""


class SupervisorState(TypedDict, total=False):
    """The plan, where the supervisor is in it, and what each step achieved."""

    goal: str
    """The user's goal, as given."""

    plan: list[PlanStep]
    """The validated steps, in order."""

    plan_notes: list[str]
    """What planning dropped from a proposal, and why."""

    cursor: int
    """Index of the next step to run."""

    document_path: str
    """Input of the accounts-payable subgraph: the current step's document."""

    audit: AuditRecord | None
    """Output of the accounts-payable subgraph: the current document's audit record."""

    results: Annotated[list[StepResult], operator.add]
    """One result per step run."""

    summary: str
    """The closing summary (also what the e-mail says)."""


def plan(state: SupervisorState, runtime: Runtime[SupervisorContext]) -> dict[str, Any]:
    """Node: decompose the goal into steps."""
    context = supervisor_context_of(runtime)
    settings = context.settings
    outcome = context.planner.plan(
        state["goal"], Path(settings.inbox), settings.supervisor_max_steps
    )
    return {"plan": outcome.steps, "plan_notes": outcome.rejected, "cursor": 0}


def supervise(
    state: SupervisorState, runtime: Runtime[SupervisorContext]
) -> Command[Literal["accounts_payable", "notify", "finish"]]:
    """Node: send the next step to its agent, or finish when the plan is done."""
    steps, cursor = state.get("plan") or [], state.get("cursor", 0)
    if cursor >= len(steps):
        return Command(goto="finish")
    step = steps[cursor]
    if step.agent == "accounts_payable":
        inbox = Path(supervisor_context_of(runtime).settings.inbox)
        path = inbox / (step.document_path or "")
        return Command(goto="accounts_payable", update={"document_path": str(path), "audit": None})
    return Command(goto=step.agent)


def collect(state: SupervisorState) -> dict[str, Any]:
    """Node: record what the accounts-payable subgraph did with the step's document."""
    cursor = state.get("cursor", 0)
    audit = state.get("audit")
    result = StepResult(
        step=cursor,
        agent="accounts_payable",
        document=Path(state.get("document_path", "")).name,
        status=audit.outcome if audit is not None else "failed",
        detail=audit.summary if audit is not None else "the run ended without an audit record",
    )
    return {"results": [result], "cursor": cursor + 1}


def notify(state: SupervisorState, runtime: Runtime[SupervisorContext]) -> dict[str, Any]:
    """Node: e-mail the requester what the steps so far achieved, through the registry."""
    context = supervisor_context_of(runtime)
    cursor = state.get("cursor", 0)
    settings = context.settings
    body = summarise(state.get("goal", ""), state.get("results") or [])
    assert context.notifier is not None
    outcome = context.notifier.try_execute(
        SEND_EMAIL,
        {"to": settings.requester_email, "subject": "Overture: summary of your goal", "body": body},
        CallScope(_thread_id(runtime), "notify", actor="supervisor"),
    )
    result = StepResult(
        step=cursor,
        agent="notify",
        status="sent" if outcome.status == "succeeded" else outcome.status,
        detail=outcome.error or f"to {settings.requester_email}",
    )
    return {"results": [result], "cursor": cursor + 1}


def finish(state: SupervisorState) -> dict[str, Any]:
    """Node: the closing summary."""
    return {"summary": summarise(state.get("goal", ""), state.get("results") or [])}


def summarise(goal: str, results: list[StepResult]) -> str:
    """Plain text: the goal, then one line per step."""
    lines = [f"Goal: {goal}"]
    for r in results:
        subject = r.document or r.agent
        lines.append(f"- step {r.step + 1} ({r.agent}) {subject}: {r.status}. {r.detail}".rstrip())
    if not results:
        lines.append("- nothing to do: no step was planned")
    return "\n".join(lines)


SUPERVISOR_STATE_TYPES: tuple[type, ...] = (PlanStep, StepResult)
"""Types the supervisor keeps in checkpoints (allow-listed for the serializer)."""


def _thread_id(runtime: Runtime[Any]) -> str:
    info = runtime.execution_info
    return (info.thread_id if info else None) or "no-thread"
