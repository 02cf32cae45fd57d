"""The approval gateway in-process, driven by LangChain's standard HITL decisions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from langgraph.types import Command
from sqlalchemy import select
from sqlalchemy.orm import Session

from overture.runtime import App
from tools.approval.approvers import add_approver, grant
from tools.integrations.records import PaymentRow

pytestmark = pytest.mark.integration
BIG = Path(__file__).resolve().parents[2] / "examples" / "documents" / "06_over_threshold.pdf"
THREAD = "hitl-1"


def waiting(app: App) -> dict[str, Any]:
    """Run the over-threshold invoice (14762.00 EUR) to the gateway; return its interrupt."""
    add_approver(app.engine, "sam")
    grant(app.engine, "sam", "ap_approver", Decimal("1e6"))
    add_approver(app.engine, "erin")
    grant(app.engine, "erin", "ap_approver", Decimal("1000"))
    result = app.workflow("accounts_payable").graph.invoke(
        {"document_path": str(BIG)},
        app.config(THREAD),
        context=app.workflow("accounts_payable").context,
    )
    (interrupt,) = result["__interrupt__"]
    return interrupt.value


def resume(app: App, value: dict[str, Any]) -> dict[str, Any]:
    return app.workflow("accounts_payable").graph.invoke(
        Command(resume=value), app.config(THREAD), context=app.workflow("accounts_payable").context
    )


def paid_amounts(app: App) -> list[Decimal]:
    with Session(app.engine) as session:
        return list(session.scalars(select(PaymentRow.amount)))


def test_the_interrupt_is_a_standard_hitl_request_beside_overtures_keys(app: App) -> None:
    payload = waiting(app)
    (action,) = payload["action_requests"]
    assert action["name"] == payload["tool"] == "payments.pay"
    assert action["args"] == payload["arguments"]
    assert "14762.00 EUR" in action["description"]
    assert payload["review_configs"] == [
        {"action_name": "payments.pay", "allowed_decisions": ["approve", "edit", "reject"]}
    ]
    assert len(payload["payload_hash"]) == 64 and payload["approval_id"]


def test_a_standard_edit_pays_the_lowered_amount_once(app: App) -> None:
    payload = waiting(app)
    args = {**payload["arguments"], "amount": "12000.00"}
    edit = {"type": "edit", "edited_action": {"name": "payments.pay", "args": args}}
    final = resume(app, {"decisions": [edit], "approver": "sam"})
    assert final["audit"].outcome == "paid"
    assert paid_amounts(app) == [Decimal("12000.00")]


def test_a_standard_reject_pays_nothing(app: App) -> None:
    waiting(app)
    final = resume(app, {"decisions": [{"type": "reject", "message": "no"}], "approver": "sam"})
    assert final["audit"].outcome == "approval_rejected"
    assert paid_amounts(app) == []


def test_a_refused_standard_decision_asks_again_saying_not_done(app: App) -> None:
    waiting(app)
    again = resume(app, {"decisions": [{"type": "approve"}], "approver": "erin"})
    (interrupt,) = again["__interrupt__"]
    assert "limit" in interrupt.value["error"]
    assert interrupt.value["action_requests"][0]["description"].startswith("NOT DONE: ")
    assert paid_amounts(app) == []
    final = resume(app, {"decisions": [{"type": "approve"}], "approver": "sam"})
    assert final["audit"].outcome == "paid"
    assert paid_amounts(app) == [Decimal("14762.00")]
