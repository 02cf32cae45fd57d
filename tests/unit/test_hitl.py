"""LangChain's standard HITL decisions mapped onto Overture's approval decision."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.approval import hitl
from tools.approval.errors import InvalidDecision

ARGS = {"vendor_id": "V005", "payee_iban": "ES91...", "amount": "1335.84", "currency": "EUR"}


def mapped(decisions: list[dict[str, Any]], **extra: Any) -> Any:
    return hitl.to_overture("apr-1", "payments.pay", ARGS, {"decisions": decisions, **extra})


def test_the_request_lists_the_call_and_the_three_decisions() -> None:
    request = hitl.hitl_request("payments.pay", ARGS, "Pay 1335.84 EUR")
    assert request["action_requests"] == [
        {"name": "payments.pay", "args": ARGS, "description": "Pay 1335.84 EUR"}
    ]
    assert request["review_configs"] == [
        {"action_name": "payments.pay", "allowed_decisions": ["approve", "edit", "reject"]}
    ]


def test_approve_keeps_the_approver_stamped_beside_the_decisions() -> None:
    assert mapped([{"type": "approve"}], approver="alice") == {
        "action": "approve",
        "approver": "alice",
    }


def test_reject_carries_its_message_as_the_comment() -> None:
    assert mapped([{"type": "reject", "message": "not ours"}]) == {
        "action": "reject",
        "comment": "not ours",
    }


def test_edit_becomes_the_changed_arguments_only() -> None:
    edited = {**ARGS, "amount": "1000.00"}
    decision = mapped([{"type": "edit", "edited_action": {"name": "payments.pay", "args": edited}}])
    assert decision == {"action": "edit", "edits": {"amount": "1000.00"}}


def test_overtures_own_shape_passes_unchanged() -> None:
    own = {"action": "approve", "approver": "alice"}
    assert hitl.to_overture("apr-1", "payments.pay", ARGS, own) is own


@pytest.mark.parametrize(
    ("decisions", "problem"),
    [
        ([], "expected one decision"),
        ([{"type": "approve"}, {"type": "approve"}], "expected one decision"),
        ([{"type": "respond", "message": "hi"}], "'respond' is not one of"),
        ([{"type": "edit"}], "needs `edited_action`"),
        (
            [{"type": "edit", "edited_action": {"name": "mail.send", "args": ARGS}}],
            "cannot call another tool",
        ),
    ],
)
def test_a_malformed_response_is_an_invalid_decision_naming_the_problem(
    decisions: list[dict[str, Any]], problem: str
) -> None:
    with pytest.raises(InvalidDecision, match=problem):
        mapped(decisions)


def test_the_request_and_decisions_are_langchains_own_shapes() -> None:
    """Checked against the installed `langchain` package, not from memory."""
    from langchain.agents.middleware.human_in_the_loop import HITLRequest, HITLResponse
    from pydantic import TypeAdapter

    request = hitl.hitl_request("payments.pay", ARGS, "Pay")
    assert TypeAdapter(HITLRequest).validate_python(request) == request
    edit = {"type": "edit", "edited_action": {"name": "payments.pay", "args": ARGS}}
    for decisions in ([{"type": "approve"}], [edit], [{"type": "reject", "message": "no"}]):
        response = {"decisions": decisions}
        assert TypeAdapter(HITLResponse).validate_python(response) == response
        assert hitl.is_standard(response)
