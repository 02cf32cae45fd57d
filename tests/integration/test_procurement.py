"""Procurement, the second workflow: routes, the two-step approval chain, orders exactly once.

Every test runs the real graph on SQLite and PostgreSQL with the sample books
(examples/procurement/books.json) and counts purchase orders in SQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from observability.evaluation import evaluate, load_dataset, metrics
from observability.queries import thread_traces
from overture import service
from overture.eval_runner import workflow_runner
from overture.runtime import App, open_app
from overture.service import RunOutcome, decision, process_document, recover, resume_approval
from overture.workflows import seed_workflows
from tools.approval.errors import ApprovalRefused, BarredApprover
from tools.approval.votes import TermsRow
from tools.integrations.outbox import sent_emails
from tools.integrations.records import POLineRow
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples" / "procurement"
OFFICE = SAMPLES / "01_office_supplies.txt"  # 490.00 office: auto
LAPTOPS = SAMPLES / "02_laptops.eml"  # 4,350.00 it: a manager
FORKLIFT = SAMPLES / "03_forklift.json"  # 24,800.00 capex: a manager, then finance
OVER_BUDGET = SAMPLES / "04_over_budget.txt"  # 3,900.00 on a 2,500.00 budget
INCOMPLETE = SAMPLES / "05_incomplete.txt"


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    with open_app(settings) as app:
        load_seed_file(app.engine)
        assert seed_workflows(app.engine) == ["procurement"]
        yield app


def run(app: App, path: Path | str, thread_id: str | None = None) -> RunOutcome:
    return process_document(app, path, thread_id, workflow="procurement")


def orders(app: App) -> int:
    """Purchase orders made for requests (the seeded books hold others)."""
    with Session(app.engine) as session:
        query = select(func.count()).select_from(POLineRow).where(POLineRow.sku.like("pr-%"))
        return int(session.scalar(query) or 0)


def values(app: App, thread_id: str) -> dict[str, Any]:
    graph = app.workflow("procurement").graph
    return dict(graph.get_state(app.config(thread_id)).values)


def request_file(tmp_path: Path, **fields: str) -> Path:
    form = json.loads(FORKLIFT.read_text()) | fields
    path = tmp_path / f"{form['number']}.json"
    path.write_text(json.dumps(form))
    return path


def test_an_everyday_request_under_the_auto_limit_is_ordered_without_anyone(app: App) -> None:
    done = run(app, OFFICE)
    assert done.status == "ordered" and done.route == "auto"
    assert orders(app) == 1
    notice = [m.email for m in sent_emails(app.engine) if m.email.to == "dana@example.com"]
    assert len(notice) == 1 and "ordered as PO-" in notice[0].body


def test_a_request_above_the_auto_limit_waits_for_one_manager(app: App) -> None:
    waiting = run(app, LAPTOPS)
    assert waiting.status == "awaiting_approval" and waiting.route == "manager"
    assert orders(app) == 0
    done = resume_approval(app, waiting.approval_id or "", decision("approve", "mike"))
    assert done.status == "ordered" and orders(app) == 1


def test_capital_spend_needs_a_manager_then_a_different_person_in_finance(app: App) -> None:
    waiting = run(app, FORKLIFT)
    assert waiting.route == "manager_then_finance"
    finance = resume_approval(app, waiting.approval_id or "", decision("approve", "maria"))
    assert finance.status == "awaiting_approval" and finance.approval_id != waiting.approval_id
    assert orders(app) == 0
    with pytest.raises(BarredApprover, match="a different person must"):
        resume_approval(app, finance.approval_id or "", decision("approve", "maria"))
    done = resume_approval(app, finance.approval_id or "", decision("approve", "fiona"))
    assert done.status == "ordered" and orders(app) == 1
    approvers = [d.approver for d in values(app, done.thread_id)["approvals"]]
    assert approvers == ["maria", "fiona"]


def test_a_manager_over_their_limit_or_without_the_role_is_refused(app: App) -> None:
    waiting = run(app, FORKLIFT)  # 24,800.00: mike's limit is 5,000.00
    with pytest.raises(ApprovalRefused, match="limit"):
        resume_approval(app, waiting.approval_id or "", decision("approve", "mike"))
    with pytest.raises(ApprovalRefused, match="role"):
        resume_approval(app, waiting.approval_id or "", decision("approve", "fiona"))
    assert orders(app) == 0


def test_the_requester_cannot_approve_their_own_request(app: App) -> None:
    app.settings.user = "maria"  # maria submits; she may not approve it
    waiting = run(app, LAPTOPS)
    with pytest.raises(ApprovalRefused):
        resume_approval(app, waiting.approval_id or "", decision("approve", "maria"))
    assert orders(app) == 0


def test_a_rejected_step_orders_nothing_and_tells_the_requester(app: App) -> None:
    waiting = run(app, FORKLIFT)
    done = resume_approval(app, waiting.approval_id or "", decision("reject", "maria", "no"))
    assert done.status == "approval_rejected" and orders(app) == 0
    assert any("approval_rejected" in m.email.body for m in sent_emails(app.engine))


def test_a_refused_request_run_again_goes_to_a_human(app: App) -> None:
    waiting = run(app, LAPTOPS)
    resume_approval(app, waiting.approval_id or "", decision("reject", "mike", "not now"))
    again = run(app, LAPTOPS)
    assert again.status == "held_for_review" and "refused before" in " ".join(again.reasons)


def test_a_request_beyond_the_remaining_budget_is_held_for_review(app: App) -> None:
    held = run(app, OVER_BUDGET)
    assert held.status == "held_for_review"
    assert "budget exhausted: CC-200 has 2500.00 left" in " ".join(held.reasons)
    assert orders(app) == 0


def test_waiting_requests_use_up_the_budget_they_would_spend(app: App, tmp_path: Path) -> None:
    first = run(app, request_file(tmp_path, number="PR-B1", unit_price="40000.00"))
    assert first.status == "awaiting_approval"  # 40,000 of 60,000 reserved
    second = run(app, request_file(tmp_path, number="PR-B2", unit_price="30000.00"))
    assert second.status == "held_for_review" and "20000.00 left" in " ".join(second.reasons)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "many"}, "quantity: Input should be a valid decimal"),
        ({"cost_centre": "CC-999"}, "cost centre CC-999 does not exist"),
        ({"requester": "mallory"}, "mallory may not order for CC-100"),
        ({"vendor_id": "V999"}, "vendor V999 is not in the vendor master"),
        ({"currency": "USD"}, "CC-100 budgets in EUR, not USD"),
    ],
)
def test_a_bad_request_is_rejected_with_what_is_wrong(
    app: App, tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    done = run(app, request_file(tmp_path, number="PR-BAD", **fields))
    assert done.status == "rejected" and message in " ".join(done.errors)
    assert orders(app) == 0


def test_an_incomplete_text_request_names_every_missing_field(app: App) -> None:
    done = run(app, INCOMPLETE)
    assert done.status == "rejected"
    for missing in ("requester_email", "vendor_id", "category", "unit_price"):
        assert missing in " ".join(done.errors)


def test_the_same_request_run_twice_is_ordered_once(app: App) -> None:
    assert run(app, OFFICE).status == "ordered"
    again = run(app, OFFICE)
    assert again.status == "rejected" and "duplicate request" in " ".join(again.errors)
    assert orders(app) == 1


def test_a_second_run_while_the_first_waits_is_held_and_asks_nothing(app: App) -> None:
    first = run(app, LAPTOPS)
    second = run(app, LAPTOPS)
    assert second.status == "held_for_review" and first.thread_id in " ".join(second.reasons)
    resume_approval(app, first.approval_id or "", decision("approve", "mike"))
    assert orders(app) == 1


@pytest.mark.parametrize(
    ("point", "made"),
    [("ledger.before_call", 0), ("ledger.after_call", 1), ("ledger.after_record", 1)],
)
def test_a_crash_around_the_order_then_recover_orders_once(
    app: App, settings: Settings, point: str, made: int
) -> None:
    env = {
        **os.environ,
        "OVERTURE_DATABASE_URL": settings.resolved_database_url(),
        "OVERTURE_HOME": str(settings.home),
        "OVERTURE_CRASH_AT": point,
    }
    command = [sys.executable, "-m", "overture.cli", "run", "-w", "procurement", str(OFFICE)]
    died = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert died.returncode == -9, died.stderr.decode()[-2000:]
    assert orders(app) == made  # killed before or after the ERP made the order
    (resumed,) = [r for r in recover(app) if r.outcome is not None]
    assert resumed.action == "resumed" and resumed.outcome.status == "ordered"
    assert orders(app) == 1
    assert run(app, OFFICE).status == "rejected"  # and a rerun is a duplicate
    assert orders(app) == 1


def test_procurement_is_evaluated_like_accounts_payable(tmp_path: Path) -> None:
    dataset = SAMPLES / "eval" / "procurement.jsonl"
    settings = Settings(home=tmp_path / ".overture")
    with workflow_runner(settings, "procurement") as run_document:
        results = evaluate(load_dataset(dataset), run_document, dataset, "request")
    scores = metrics(results)
    assert scores["route_accuracy"] == 1.0 and scores["field_accuracy"] == 1.0
    assert scores["error_rate"] == 0.0


def test_a_procurement_run_is_traced_under_its_workflow(app: App) -> None:
    done = run(app, OFFICE)
    (root,) = thread_traces(app.engine, done.thread_id)
    assert root.name == "procurement" and "workflow:procurement" in root.tags
    assert {"intake", "check", "route", "order", "notify", "audit"} <= {
        child.name for child in root.children
    }


# -- found by review: the requester, expiry and stale requests, server threads -------------


def test_the_requester_named_on_the_form_cannot_approve_it(app: App, tmp_path: Path) -> None:
    form = dict(category="it", unit_price="450.00", number="PR-MIKE", requester="mike")
    waiting = run(app, request_file(tmp_path, **form))  # mike, a manager, asks for himself
    assert waiting.route == "manager"
    with pytest.raises(BarredApprover, match="may not decide this step"):
        resume_approval(app, waiting.approval_id or "", decision("approve", "mike"))
    assert orders(app) == 0
    done = resume_approval(app, waiting.approval_id or "", decision("approve", "maria"))
    assert done.status == "ordered" and orders(app) == 1


def test_an_expired_request_ends_its_run_and_frees_the_budget(app: App, tmp_path: Path) -> None:
    big = request_file(tmp_path, number="PR-EXP", unit_price="40000.00")
    started = run(app, big)
    with Session(app.engine) as session:  # age the manager's request past its TTL
        row = session.get(TermsRow, started.approval_id)
        assert row is not None
        row.terms = {**row.terms, "expires_at": "2000-01-01T00:00:00+00:00"}
        session.commit()
    (expired,) = [r for r in recover(app) if r.action == "expired"]
    assert expired.outcome is not None and expired.outcome.status == "approval_expired"
    second = run(app, request_file(tmp_path, number="PR-EXP2", unit_price="40000.00"))
    assert second.status == "awaiting_approval"  # the first one's 40,000 is free again
    assert orders(app) == 0


def test_a_stale_request_frees_its_budget(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = run(app, request_file(tmp_path, number="PR-STALE", unit_price="40000.00"))
    app.checkpointer.delete_thread(started.thread_id)  # its thread is gone
    monkeypatch.setattr(service, "STALE_AFTER", timedelta(0))
    assert [r.approval_id for r in recover(app) if r.action == "stale"] == [started.approval_id]
    again = run(app, request_file(tmp_path, number="PR-STALE2", unit_price="40000.00"))
    assert again.status == "awaiting_approval"


def test_a_thread_the_server_started_is_known_by_its_graph(app: App) -> None:
    graph = app.workflow("procurement").graph
    config = {"configurable": {"thread_id": "no-prefix-1"}, "metadata": {"graph_id": "procurement"}}
    graph.invoke(
        {"form": json.loads(FORKLIFT.read_text())},
        config,
        context=app.workflow("procurement").context,
    )
    assert app.workflow_of("no-prefix-1").name == "procurement"
