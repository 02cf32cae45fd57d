"""What the CLI (and notebooks, bench, tests) do with the accounts-payable graph.

Process a document on a thread, resume an approval from any process, and read a thread's
outcome back from the checkpointer. Rendering is the CLI's business, not this module's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args

from langgraph.types import Command, StateSnapshot
from pydantic import BaseModel, Field

from graphs.accounts_payable.verification import UNCONFIRMED_OCR_FIELDS
from graphs.supervisor.agents import StepResult
from graphs.supervisor.planning import PlanStep
from overture.errors import ApprovalNotFound, NotHeldForReview, ThreadNotFound
from overture.runtime import App
from overture.workflows import workflow_spec
from tools import obligations, run_log
from tools.approval import requests as approvals
from tools.approval import votes as approval_votes
from tools.approval.edits import apply_decision
from tools.approval.errors import AlreadyDecided, ApprovalExpired, InvalidDecision
from tools.approval.requests import ApprovalDecision
from tools.locks import hold
from tools.schema import utcnow

Status = Literal[
    "paid",
    "ordered",
    "rejected",
    "held_for_review",
    "approval_rejected",
    "approval_expired",
    "awaiting_approval",
    "failed",
]


class RunOutcome(BaseModel):
    """Where one document's run stands: the row of the CLI's outcome tables."""

    thread_id: str
    document_path: str
    status: Status
    route: str | None = None
    reasons: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    approval_id: str | None = None
    payment_id: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    summary: str = ""


def new_thread_id(path: str | Path, prefix: str = "ap-") -> str:
    """A readable, unique thread id: `<workflow prefix><file stem>-<8 hex>`."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(path).stem).strip("-")[:40] or "doc"
    return f"{prefix}{stem}-{uuid.uuid4().hex[:8]}"


def process_document(
    app: App,
    path: str | Path,
    thread_id: str | None = None,
    on_start: Callable[[str], None] | None = None,
    workflow: str = "accounts_payable",
) -> RunOutcome:
    """Run one document through a workflow's graph; never raises for a bad document or a
    node bug.

    The run is written to the run log before its first step (`on_start` then hears its
    thread id), so a run killed at any moment is found again by `recover`.
    """
    prefix = workflow_spec(app.workflow(workflow).name).thread_prefix
    thread_id = thread_id or new_thread_id(path, prefix)
    run_log.started(app.engine, thread_id, str(path), workflow)
    if on_start is not None:
        on_start(thread_id)
    return _finish(app, thread_id, str(path), {"document_path": str(path)})


def _invoke(app: App, thread_id: str, path: str, graph_input: Any) -> RunOutcome:
    """Invoke the thread's graph (input, None to continue, or a Command); how it stands."""
    workflow = app.workflow_of(thread_id)
    workflow.graph.invoke(
        graph_input,
        app.config(thread_id, document=path, workflow=workflow.name),
        context=workflow.context,
    )
    if workflow.name == "supervisor":
        return goal_outcome(app, thread_id).for_document(path)
    return outcome(app, thread_id)


def _finish(app: App, thread_id: str, path: str, graph_input: Any) -> RunOutcome:
    """`_invoke`, never raising (a node bug is a `failed` outcome), and log how it stands."""
    try:
        result = _invoke(app, thread_id, path, graph_input)
    except Exception as error:  # noqa: BLE001 - one bad file never stops the others
        result = RunOutcome(
            thread_id=thread_id,
            document_path=path,
            status="failed",
            errors=[f"{path}: {type(error).__name__}: {error}"],
        )
    run_log.finished(app.engine, thread_id, result.status)
    return result


class Recovery(BaseModel):
    """What `recover` did with one stopped run, or with one approval request."""

    thread_id: str
    action: Literal["restarted", "resumed", "still_running", "expired", "stale"]
    outcome: RunOutcome | None = None
    approval_id: str | None = None


def stopped_runs(app: App) -> list[run_log.RunEntry]:
    """Runs logged as running whose process is gone (killed, crashed, machine restarted)."""
    return [entry for entry in run_log.unfinished(app.engine) if not entry.process_alive()]


def recover(app: App) -> list[Recovery]:
    """Resume every stopped run from its last checkpoint (or start it again from its input
    when it died before its first one), then reconcile the approval requests."""
    done: list[Recovery] = []
    for entry in run_log.unfinished(app.engine):
        if entry.process_alive():
            done.append(Recovery(thread_id=entry.thread_id, action="still_running"))
            continue
        run_log.started(app.engine, entry.thread_id, entry.document_path, entry.workflow)
        workflow = app.workflows.get(entry.workflow) or app.workflow_of(entry.thread_id)
        config = app.config(entry.thread_id, workflow=workflow.name)
        state = workflow.graph.get_state(config)
        fresh = not state.values and not state.next
        graph_input = {"document_path": entry.document_path} if fresh else None
        result = _finish(app, entry.thread_id, entry.document_path, graph_input)
        action: Literal["restarted", "resumed"] = "restarted" if fresh else "resumed"
        done.append(Recovery(thread_id=entry.thread_id, action=action, outcome=result))
    return done + reconcile_approvals(app)


def reconcile_approvals(app: App) -> list[Recovery]:
    """Pending requests past their expiry become `expired` (their run ends, unpaid); those no
    run waits on any more become `stale`, so nothing stays pending for ever."""
    done: list[Recovery] = []
    for request in approvals.list_requests(app.engine, "pending"):
        if _run_alive(app, request.thread_id):
            continue  # its run is live (maybe between recording it and interrupting)
        terms = approval_votes.get_terms(app.engine, request.id)
        if terms is not None and utcnow() > terms.expires_at:
            approvals.expire(app.engine, request.id)
            result = _end_expired(app, request.thread_id, request.document_path)
            done.append(
                Recovery(
                    thread_id=request.thread_id,
                    action="expired",
                    outcome=result,
                    approval_id=request.id,
                )
            )
        elif _old_enough(request) and not _waits_on(app, request.thread_id, request.id):
            approvals.close_pending(
                app.engine, request.id, "stale", "system", "no run waits on it any more"
            )
            release = workflow_spec(app.workflow_of(request.thread_id).name).release
            if release is not None:
                release(app.engine, request.thread_id, "approval_stale")
            done.append(
                Recovery(thread_id=request.thread_id, action="stale", approval_id=request.id)
            )
    return done


STALE_AFTER = timedelta(minutes=2)
"""A request younger than this is never called stale: its run may be about to interrupt."""


def _old_enough(request: approvals.ApprovalRequest) -> bool:
    return request.requested_at is None or utcnow() - request.requested_at > STALE_AFTER


def _run_alive(app: App, thread_id: str) -> bool:
    entry = run_log.get(app.engine, thread_id)
    return entry is not None and entry.status == "running" and entry.process_alive()


def _waits_on(app: App, thread_id: str, approval_id: str) -> bool:
    """Whether the thread waits on the request, under either graph: server threads have
    ids without a workflow's prefix."""
    return any(
        _asks_for(w.graph.get_state(app.config(thread_id, workflow=w.name)), approval_id)
        is not None
        for w in app.workflows.values()
    )


def _asks_for(state: StateSnapshot, approval_id: str) -> dict[str, Any] | None:
    """The interrupt value with which the thread's state asks to decide `approval_id`."""
    for item in state.interrupts:
        if isinstance(item.value, dict) and item.value.get("approval_id") == approval_id:
            return item.value
    return None


def _end_expired(app: App, thread_id: str, document_path: str) -> RunOutcome | None:
    """Let a run whose request expired end: its gateway sees `expired` and runs nothing."""
    workflow = app.workflow_of(thread_id)
    config = app.config(thread_id, workflow=workflow.name)
    if workflow.name == "supervisor" or not workflow.graph.get_state(config).next:
        return None
    return _finish(app, thread_id, document_path, None)


def snapshot(app: App, thread_id: str) -> StateSnapshot:
    """The thread's latest state (values, next nodes, interrupts), from either workflow."""
    workflow = app.workflow_of(thread_id)
    state = workflow.graph.get_state(app.config(thread_id, workflow=workflow.name))
    if not state.values and not state.next:
        raise ThreadNotFound(thread_id)
    return state


def outcome(app: App, thread_id: str) -> RunOutcome:
    """The outcome of a thread as its latest checkpoint tells it."""
    state = snapshot(app, thread_id)
    values: dict[str, Any] = state.values
    invoice, payment, audit = values.get("invoice"), values.get("payment"), values.get("audit")
    pending = [i.value for i in state.interrupts if isinstance(i.value, dict)]
    if pending:
        status: Status = "awaiting_approval"
    elif audit is not None:
        status = audit.outcome
    elif values.get("outcome") in get_args(Status):
        status = values["outcome"]  # a workflow without an audit record (procurement)
    else:
        status = "failed"
    return RunOutcome(
        thread_id=thread_id,
        document_path=values.get("document_path", ""),
        status=status,
        route=values.get("route"),
        reasons=list(values.get("route_reasons") or []),
        errors=list(values.get("errors") or []),
        approval_id=pending[0].get("approval_id") if pending else values.get("approval_request_id"),
        payment_id=payment.payment_id if payment else None,
        amount=payment.instruction.amount if payment else _total(invoice or values.get("request")),
        currency=getattr(invoice or values.get("request"), "currency", None),
        summary=values.get("summary", ""),
    )


def _total(read: Any) -> Decimal | None:
    """What the document a run read asks for: an invoice's total, a request's amount."""
    return getattr(read, "total", None) or getattr(read, "amount", None)


def resume_approval(app: App, approval_id: str, decision: dict[str, Any]) -> RunOutcome:
    """Resume the thread waiting on `approval_id` with a decision, from any process.

    The request is looked up in SQL (not in this process's memory), the decision validated
    before the graph sees it, and the thread resumed through the checkpointer. Resumes of one
    thread are serialised (a lock that dies with its holder): two approvers racing would
    otherwise both continue the thread; the second now finds it decided.
    """
    request = approvals.get_request(app.engine, approval_id)
    if request is None:
        raise ApprovalNotFound(approval_id)
    with hold(app.engine, f"thread:{request.thread_id}"):
        return _resume_locked(app, approval_id, decision)


def _resume_locked(app: App, approval_id: str, decision: dict[str, Any]) -> RunOutcome:
    request = approvals.get_request(app.engine, approval_id)
    assert request is not None
    if request.status != "pending":
        decided_by = [request.decided_by] if request.decided_by else None
        raise AlreadyDecided(request.call.tool, approval_id, request.status, decided_by)
    spec = app.workflow_of(request.thread_id).context.executor.registry.get(request.call.tool)
    arguments = spec.args_schema.model_validate(request.call.arguments)
    checked, _ = apply_decision(approval_id, spec.edits, arguments, decision)
    checked = checked.model_copy(update={"decision_id": checked.decision_id or uuid.uuid4().hex})
    terms = approval_votes.get_terms(app.engine, approval_id)
    if terms is not None and approval_votes.current_tally(app.engine, terms).status != "pending":
        # decided, but the approver's process died before its run moved on: finish the run
        # with the recorded decision (graphs/accounts_payable/approval.py), then say who decided
        _continue_logged(app, request.thread_id, request.document_path, None)
        tally = approval_votes.current_tally(app.engine, terms)
        raise AlreadyDecided(request.call.tool, approval_id, tally.status, tally.deciders)
    if terms is not None:  # refuse (and audit) a decider the policy rejects, before resuming
        try:
            approval_votes.precheck(
                app.engine, terms, approver_id=checked.approver, action=checked.action
            )
        except ApprovalExpired:
            approvals.expire(app.engine, approval_id)  # and its run ends, unpaid
            _end_expired(app, request.thread_id, request.document_path)
            raise
    if _asks_for(snapshot(app, request.thread_id), approval_id) is None:
        if (
            terms is not None
            and (tally := approval_votes.current_tally(app.engine, terms)).status != "pending"
        ):
            # a concurrent approver decided (and resumed) between our checks and now
            raise AlreadyDecided(request.call.tool, approval_id, tally.status, tally.deciders)
        raise InvalidDecision(
            approval_id,
            f"thread {request.thread_id} is not waiting on it; `overture recover` resumes a run "
            "that stopped mid-way and marks a request no run waits on as stale",
        )
    command: Command[Any] = Command(resume=checked.model_dump(mode="json"))
    return _continue_logged(app, request.thread_id, request.document_path, command)


def _continue_logged(app: App, thread_id: str, path: str, graph_input: Any) -> RunOutcome:
    """Continue a thread in this process, logged as running meanwhile, so a kill of this
    process (an approver's CLI, say) leaves a run that `recover` finds."""
    entry = run_log.get(app.engine, thread_id)
    workflow = entry.workflow if entry else app.workflow_of(thread_id).name
    run_log.started(app.engine, thread_id, entry.document_path if entry else path, workflow)
    try:
        result = _invoke(app, thread_id, path, graph_input)
    except BaseException:
        run_log.finished(app.engine, thread_id, "resume_raised")
        raise
    run_log.finished(app.engine, thread_id, result.status)
    return result


def review(
    app: App, thread_id: str, values: dict[str, str], reviewer: str, *, confirm: bool = False
) -> RunOutcome:
    """Complete or correct the extraction of a run held for review, as `reviewer`; the run
    continues from the extraction it kept into verification. `confirm` takes the fields
    read by OCR as they are, sourced to the reviewer."""
    state = snapshot(app, thread_id)
    if state.next:
        raise NotHeldForReview(thread_id, "it is still running or waits for an approval")
    if confirm and (invoice := state.values.get("invoice") or state.values.get("draft")):
        for name in UNCONFIRMED_OCR_FIELDS:
            value = getattr(invoice, name, None)
            if value is not None and name not in values:
                values = {**values, name: str(value)}
    path = state.values.get("document_path", "")
    graph_input = {"review": {"values": values, "reviewer": reviewer}}
    return _continue_logged(app, thread_id, path, graph_input)


def cancel_request(app: App, approval_id: str, by: str, reason: str) -> None:
    """Withdraw a pending or stale request; one a run still waits on is rejected instead, so
    the run ends and records why."""
    request = approvals.get_request(app.engine, approval_id)
    if request is None:
        raise ApprovalNotFound(approval_id)
    if request.status == "pending" and _waits_on(app, request.thread_id, approval_id):
        resume_approval(app, approval_id, decision("reject", by, f"cancelled: {reason}"))
        return
    if request.status not in ("pending", "stale"):
        raise AlreadyDecided(request.call.tool, approval_id, request.status, None)
    with hold(app.engine, f"thread:{request.thread_id}"):
        if not approvals.close_pending(app.engine, approval_id, "cancelled", by, reason):
            approvals.close_pending(
                app.engine, approval_id, "cancelled", by, reason, from_status="stale"
            )
        obligations.close(app.engine, request.thread_id, "approval_cancelled")


class GoalOutcome(BaseModel):
    """Where a supervisor run stands: its plan's results so far, and any approval it awaits."""

    thread_id: str
    goal: str
    status: Literal["awaiting_approval", "done"]
    approval_ids: list[str] = Field(default_factory=list)
    plan: list[PlanStep] = Field(default_factory=list)
    results: list[StepResult] = Field(default_factory=list)
    plan_notes: list[str] = Field(default_factory=list)
    summary: str = ""

    def for_document(self, document_path: str) -> RunOutcome:
        """The outcome of one delegated document, as `overture approve` reports it."""
        name = Path(document_path).name
        step = next((r for r in reversed(self.results) if r.document == name), None)
        status = step.status if step and step.status in get_args(Status) else "awaiting_approval"
        return RunOutcome(
            thread_id=self.thread_id,
            document_path=document_path,
            status=status,
            approval_id=self.approval_ids[0] if self.approval_ids else None,
            summary=self.summary or (step.detail if step else ""),
        )


def run_goal(app: App, goal: str, thread_id: str | None = None) -> GoalOutcome:
    """Give the supervisor a goal; it runs until done or until an approval is needed."""
    supervisor = app.workflow("supervisor")
    thread_id = thread_id or f"{workflow_spec('supervisor').thread_prefix}{uuid.uuid4().hex[:12]}"
    config = app.config(thread_id, workflow="supervisor")
    supervisor.graph.invoke({"goal": goal}, config, context=supervisor.context)
    return goal_outcome(app, thread_id)


def goal_outcome(app: App, thread_id: str) -> GoalOutcome:
    """A supervisor thread's outcome as its latest checkpoint tells it."""
    state = snapshot(app, thread_id)
    pending = [i.value for i in state.interrupts if isinstance(i.value, dict)]
    values: dict[str, Any] = state.values
    return GoalOutcome(
        thread_id=thread_id,
        goal=values.get("goal", ""),
        status="awaiting_approval" if pending else "done",
        approval_ids=[p["approval_id"] for p in pending if "approval_id" in p],
        plan=list(values.get("plan") or []),
        results=list(values.get("results") or []),
        plan_notes=list(values.get("plan_notes") or []),
        summary=values.get("summary", ""),
    )


def decision(
    action: Literal["approve", "edit", "reject"],
    approver: str,
    comment: str = "",
    edits: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A resume value for the approval gateway (validated by `ApprovalDecision`)."""
    return ApprovalDecision(
        action=action, approver=approver, comment=comment, edits=edits or {}
    ).model_dump(mode="json")
