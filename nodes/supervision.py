"""The supervisor's agents: plan, dispatch, delegate, notify, finish.

The supervisor owns no side effect of its own. Invoices go through the accounts-payable graph
(its approval gateway and tool registry included) invoked as a subgraph; the summary e-mail
goes through the registry's `notify.send_email`, ledgered so a resumed run never sends it
twice. `supervise` routes with `Command(goto=...)` from the plan and the results so far.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from langgraph.errors import GraphBubbleUp
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel
from typing_extensions import TypedDict

from nodes.context import Context
from nodes.planning import LLMPlanner, PlanStep, RulesPlanner
from tools.executor import CallScope, ToolExecutor
from tools.outbox import TOOL_NAME as SEND_EMAIL
from tools.outbox import email_tool
from tools.registry import ToolRegistry


@dataclass(kw_only=True)
class SupervisorContext:
    """What the supervisor needs; `ap` is the accounts-payable agents' own context."""

    ap: Context
    """Context of the accounts-payable subgraph (engine, settings, registry, models)."""

    planner: RulesPlanner | LLMPlanner = field(default_factory=RulesPlanner)
    """Turns the goal into steps."""

    notifier: ToolExecutor | None = None
    """Runs `notify.send_email`; None means a registry holding only that tool."""

    def __post_init__(self) -> None:
        if self.notifier is None:
            self.notifier = ToolExecutor(ToolRegistry([email_tool(self.ap.engine)]), self.ap.engine)


def supervisor_context_of(runtime: Runtime[SupervisorContext]) -> SupervisorContext:
    """The run's context; under the LangGraph server (none passed) one built from settings."""
    if isinstance(runtime.context, SupervisorContext):
        return runtime.context
    from overture.runtime import default_supervisor_context  # lazy: runtime imports graphs

    return default_supervisor_context()


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

    results: Annotated[list[StepResult], operator.add]
    """One result per step run."""

    summary: str
    """The closing summary (also what the e-mail says)."""


def plan(state: SupervisorState, runtime: Runtime[SupervisorContext]) -> dict[str, Any]:
    """Node: decompose the goal into steps."""
    context = supervisor_context_of(runtime)
    settings = context.ap.settings
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
    return Command(goto=steps[cursor].agent)


def delegate_to(
    accounts_payable_graph: CompiledStateGraph,
) -> Any:
    """Node factory: run the current step's document through the accounts-payable subgraph.

    An approval interrupt inside the subgraph bubbles up and pauses the supervisor; on resume
    this node runs again and the subgraph continues from its own checkpoint.
    """

    def accounts_payable(
        state: SupervisorState, runtime: Runtime[SupervisorContext]
    ) -> dict[str, Any]:
        context = supervisor_context_of(runtime)
        cursor = state.get("cursor", 0)
        step = state["plan"][cursor]
        path = Path(context.ap.settings.inbox) / (step.document_path or "")
        try:
            final = accounts_payable_graph.invoke({"document_path": str(path)}, context=context.ap)
        except GraphBubbleUp:
            raise
        except Exception as error:  # noqa: BLE001 - a failed step is reported, the plan goes on
            result = StepResult(
                step=cursor,
                agent="accounts_payable",
                document=path.name,
                status="failed",
                detail=f"{type(error).__name__}: {error}",
            )
            return {"results": [result], "cursor": cursor + 1}
        audit = final.get("audit")
        result = StepResult(
            step=cursor,
            agent="accounts_payable",
            document=path.name,
            status=audit.outcome if audit is not None else "unknown",
            detail=final.get("summary", ""),
        )
        return {"results": [result], "cursor": cursor + 1}

    return accounts_payable


def notify(state: SupervisorState, runtime: Runtime[SupervisorContext]) -> dict[str, Any]:
    """Node: e-mail the requester what the steps so far achieved, through the registry."""
    context = supervisor_context_of(runtime)
    cursor = state.get("cursor", 0)
    settings = context.ap.settings
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
