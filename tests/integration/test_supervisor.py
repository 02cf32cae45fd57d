"""The supervisor end to end: a goal, a plan, delegated agents, one approval, a summary."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from graphs.supervisor.planning import LLMPlanner
from overture.models import make_chat_model
from overture.runtime import App, open_app
from overture.service import decision, goal_outcome, resume_approval, run_goal
from tests.llm_cases import EXAMPLES
from tests.openai_stub import Reply, ToolCall, openai_stub
from tools.integrations.outbox import sent_emails
from tools.integrations.payments import PaymentGateway
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("01_clean_match.pdf", "06_over_threshold.pdf"):
        shutil.copy(EXAMPLES / "documents" / name, inbox / name)
    settings = Settings(home=tmp_path / ".overture", inbox=inbox, requester_email="me@corp.example")
    with open_app(settings) as app:
        load_seed_file(app.engine)
        yield app


def test_the_supervisor_pauses_for_one_approval_then_pays_and_emails_a_summary(app: App) -> None:
    started = run_goal(app, "Process the invoices in the inbox and email me a summary")

    assert started.status == "awaiting_approval" and len(started.approval_ids) == 1
    assert [r.status for r in started.results] == ["paid"]
    assert PaymentGateway(app.engine).count() == 1
    assert sent_emails(app.engine) == []

    resumed = resume_approval(app, started.approval_ids[0], decision("approve", "alice"))

    assert resumed.status == "paid"
    done = goal_outcome(app, started.thread_id)
    assert done.status == "done"
    assert [(r.agent, r.status) for r in done.results] == [
        ("accounts_payable", "paid"),
        ("accounts_payable", "paid"),
        ("notify", "sent"),
    ]
    assert PaymentGateway(app.engine).count() == 2
    [email] = sent_emails(app.engine)
    assert email.email.to == "me@corp.example"
    assert "01_clean_match.pdf: paid" in email.email.body
    assert "06_over_threshold.pdf: paid" in email.email.body


def test_a_rejected_approval_is_reported_and_nothing_more_is_paid(app: App) -> None:
    started = run_goal(app, "Process the invoices and email me a summary")

    resume_approval(app, started.approval_ids[0], decision("reject", "bob", comment="no"))

    done = goal_outcome(app, started.thread_id)
    assert [r.status for r in done.results] == ["paid", "approval_rejected", "sent"]
    assert PaymentGateway(app.engine).count() == 1


def test_chat_openai_plans_a_two_agent_goal_that_completes_with_one_approval(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = {
        "steps": [
            {
                "agent": "accounts_payable",
                "instruction": "pay the Meridian invoice",
                "document_path": "06_over_threshold.pdf",
            },
            {"agent": "notify", "instruction": "e-mail me what happened"},
        ]
    }
    with openai_stub([Reply(tool_calls=[ToolCall("Plan", plan)])]) as stub:
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
        model = make_chat_model(Settings(model="openai:gpt-4o-mini", model_max_retries=0))
        planned = dataclasses.replace(app.workflow("supervisor").context, planner=LLMPlanner(model))
        llm_app = app.replacing("supervisor", context=planned)

        started = run_goal(llm_app, "Pay the big Meridian invoice and e-mail me a summary")
        resume_approval(llm_app, started.approval_ids[0], decision("approve", "alice"))

    assert "06_over_threshold.pdf" in stub.requests[0]["messages"][1]["content"]
    done = goal_outcome(llm_app, started.thread_id)
    assert [(r.agent, r.status) for r in done.results] == [
        ("accounts_payable", "paid"),
        ("notify", "sent"),
    ]
    assert PaymentGateway(app.engine).count() == 1
    assert len(sent_emails(app.engine)) == 1
