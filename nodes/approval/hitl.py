"""LangChain's standard human-in-the-loop shapes, spoken by the approval gateway.

The shapes are those of `langchain.agents.middleware.human_in_the_loop` (checked against
langchain 1.5): the interrupt carries an `HITLRequest` (`action_requests` with
name/args/description, `review_configs` with `allowed_decisions`), and a client resumes with
an `HITLResponse`, `{"decisions": [{"type": "approve"|"edit"|"reject", ...}]}`, one decision
per action request; an `edit` carries `edited_action` {name, args}, a `reject` may carry a
`message`. So LangGraph Studio, Agent Chat UI and Agent Inbox can drive an approval.

Overture's own shape (`{"action": ..., "edits": ..., "comment": ...}`, tools/approval/requests.py
`ApprovalDecision`) stays accepted; `to_overture` maps a standard response onto it, so one set
of rules (tools/approval/edits.py `apply_decision`, the tool's edit rule) judges both.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from tools.approval.errors import InvalidDecision

ALLOWED_DECISIONS: list[Literal["approve", "edit", "reject"]] = ["approve", "edit", "reject"]
"""What an approver may answer; `respond` (answering for the tool) makes no sense for a payment."""

_CARRIED = ("approver", "decision_id", "comment")
"""Keys of the response itself (beside `decisions`) carried into Overture's decision: the
approver the server stamps in (overture/auth.py), the CLI's decision id, a comment."""


class ActionRequest(TypedDict):
    """One action for review: `langchain...human_in_the_loop.ActionRequest`."""

    name: str
    args: dict[str, Any]
    description: NotRequired[str]


class ReviewConfig(TypedDict):
    """How an action may be decided: `langchain...human_in_the_loop.ReviewConfig`."""

    action_name: str
    allowed_decisions: list[Literal["approve", "edit", "reject"]]


def hitl_request(name: str, args: dict[str, Any], description: str) -> dict[str, Any]:
    """The `HITLRequest` keys for one tool call awaiting review."""
    action: ActionRequest = {"name": name, "args": args, "description": description}
    config: ReviewConfig = {"action_name": name, "allowed_decisions": list(ALLOWED_DECISIONS)}
    return {"action_requests": [action], "review_configs": [config]}


def is_decision(raw: Any) -> bool:
    """Whether a resume value is one decision (Overture's shape or the standard one), rather
    than a map of interrupt ids to decisions."""
    return isinstance(raw, dict) and ("action" in raw or "decisions" in raw)


def is_standard(raw: Any) -> bool:
    """Whether a resume value is a standard `HITLResponse` (rather than Overture's shape)."""
    return isinstance(raw, dict) and "decisions" in raw and "action" not in raw


def to_overture(request_id: str, name: str, args: dict[str, Any], raw: Any) -> Any:
    """Overture's decision for a standard response about the call `name(args)`; any other
    value unchanged (validated later). Raise `InvalidDecision` naming what is wrong."""
    if not is_standard(raw):
        return raw
    decisions = raw["decisions"]
    if not isinstance(decisions, list) or len(decisions) != 1:
        count = len(decisions) if isinstance(decisions, list) else "no list of"
        raise InvalidDecision(
            request_id, f"decisions: expected one decision for the one action, got {count}"
        )
    (decision,) = decisions
    kind = decision.get("type") if isinstance(decision, dict) else None
    carried = {key: raw[key] for key in _CARRIED if key in raw}
    if kind == "approve":
        return {**carried, "action": "approve"}
    if kind == "reject":
        message = decision.get("message")
        comment = message if isinstance(message, str) else carried.get("comment", "")
        return {**carried, "action": "reject", "comment": comment}
    if kind == "edit":
        return {**carried, "action": "edit", "edits": _edits(request_id, name, args, decision)}
    raise InvalidDecision(
        request_id, f"decisions[0].type: {kind!r} is not one of {ALLOWED_DECISIONS}"
    )


def _edits(
    request_id: str, name: str, args: dict[str, Any], decision: dict[str, Any]
) -> dict[str, Any]:
    """The arguments an `edit` changes, as Overture's `edits` (judged by `apply_decision`)."""
    action = decision.get("edited_action")
    if not isinstance(action, dict) or not isinstance(action.get("args"), dict):
        raise InvalidDecision(request_id, "an edit needs `edited_action` with `name` and `args`")
    if action.get("name", name) != name:
        raise InvalidDecision(
            request_id,
            f"edited_action.name: {action.get('name')!r} is not {name!r}: an "
            "approval cannot call another tool",
        )
    edited = action["args"]
    return {key: value for key, value in edited.items() if args.get(key) != value}
