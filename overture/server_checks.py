"""Judge a resume at the server's door, so a refused decision is an HTTP error, not a new wait.

Through the API a resume that the gateway refuses would come back as HTTP 200 with the thread
waiting again (the reason in the interrupt's `error`): an Agent Inbox client, which shows the
standard request only, would take that for success. So the auth handler (overture/auth.py)
asks here first and answers 403 with the reason. The gateway (nodes/approval/gateway.py)
still judges every decision that passes: this is an early answer, not the control; what can
change in between (a racing approver, expiry) still comes back as a new wait with `error`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nodes.approval import hitl
from overture.runtime import served_context
from overture.workflows import WORKFLOWS
from tools.approval import requests as approvals
from tools.approval import votes as approval_votes
from tools.approval.edits import apply_decision
from tools.approval.errors import ApprovalRefused, InvalidDecision
from tools.approval.requests import ApprovalRequestRow
from tools.registry import ToolSpec


def refusal(engine: Engine, thread_id: str, approver: str, resume: Any) -> str | None:
    """Why the gateway would refuse `approver`'s `resume` on the thread's one pending
    approval; None when it would not (or when the thread waits on several: a resume map)."""
    if not hitl.is_decision(resume):
        return None
    with Session(engine) as session:
        ids = session.scalars(
            select(ApprovalRequestRow.id).where(
                ApprovalRequestRow.thread_id == thread_id, ApprovalRequestRow.status == "pending"
            )
        ).all()
    if len(ids) != 1:
        return None
    request = approvals.get_request(engine, ids[0])
    terms = approval_votes.get_terms(engine, ids[0])
    spec = tool_spec(request.call.tool) if request is not None else None
    if request is None or terms is None or spec is None:
        return None
    try:
        value = hitl.to_overture(request.id, request.call.tool, request.call.arguments, resume)
        arguments = spec.args_schema.model_validate(request.call.arguments)
        decision, _ = apply_decision(
            request.id, spec.edits, arguments, {**value, "approver": approver}
        )
        approval_votes.precheck(engine, terms, approver_id=approver, action=decision.action)
    except (InvalidDecision, ApprovalRefused) as error:
        return str(error)
    return None


def tool_spec(tool: str) -> ToolSpec | None:
    """The registered tool of that name in any served workflow (their registries agree)."""
    for name in WORKFLOWS:
        registry = served_context(name).executor.registry
        if tool in registry.names():
            return registry.get(tool)
    return None
