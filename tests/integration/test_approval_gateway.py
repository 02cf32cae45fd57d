"""The approval gateway under policy, on the real workflow: every refusal is clear, pays
nothing and is in the audit trail; racing approvers pay once; the LLM cannot call outside
the registry."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from langgraph.types import Command
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from overture.runtime import App, open_app
from overture.service import decision, outcome, resume_approval
from tests.databases import throwaway_database
from tests.fake_models import ScriptedChatModel, tool_call
from tools import audit_trail
from tools.approval.approvers import add_approver, grant
from tools.approval.errors import (
    AlreadyDecided,
    ApprovalExpired,
    NotAuthorised,
    SecondApproverRequired,
    SelfApproval,
    UnknownApprover,
)
from tools.executor import CallScope
from tools.integrations.payments import PaymentGateway
from tools.integrations.records import GoodsReceiptRow, PaymentRow, PurchaseOrderRow, ReceiptLineRow
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration
BIG = Path(__file__).resolve().parents[2] / "examples" / "documents" / "06_over_threshold.pdf"


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with throwaway_database(request.param, tmp_path) as url:
        yield Settings(database_url=url, home=tmp_path / ".overture", user="sam")


def waiting(settings: Settings, thread: str = "gw-1") -> tuple[App, str]:
    """Open the app, seed it, run the over-threshold invoice to the gateway."""
    app = open_app(settings).__enter__()
    load_seed_file(app.engine)
    add_approver(app.engine, "sam")
    grant(app.engine, "sam", "ap_approver", Decimal("1e6"))
    add_approver(app.engine, "dave")
    grant(app.engine, "dave", "clerk", Decimal("1e6"))
    add_approver(app.engine, "erin")
    grant(app.engine, "erin", "ap_approver", Decimal("1000"))
    app.workflow("accounts_payable").graph.invoke(
        {"document_path": str(BIG)},
        app.config(thread),
        context=app.workflow("accounts_payable").context,
    )
    approval_id = outcome(app, thread).approval_id
    assert approval_id
    return app, approval_id


def refusals(app: App) -> list[str | None]:
    return [e.code for e in audit_trail.history(app.engine, events=["refused"])]


@pytest.mark.parametrize(
    ("approver", "error", "code"),
    [
        ("mallory", UnknownApprover, "unknown_approver"),
        ("dave", NotAuthorised, "not_authorised"),  # wrong role
        ("erin", NotAuthorised, "not_authorised"),  # limit 1000 < 14762
        ("sam", SelfApproval, "self_approval"),  # sam submitted the run
    ],
)
def test_a_decider_the_policy_refuses_pays_nothing_and_is_audited(
    settings: Settings, approver: str, error: type[Exception], code: str
) -> None:
    app, approval_id = waiting(settings)
    with pytest.raises(error) as caught:
        resume_approval(app, approval_id, decision("approve", approver))
    assert approver in str(caught.value)
    assert PaymentGateway(app.engine).count() == 0
    assert outcome(app, "gw-1").status == "awaiting_approval"
    assert refusals(app) == [code]


def test_an_expired_request_is_refused(settings: Settings) -> None:
    app, approval_id = waiting(settings.model_copy(update={"approval_ttl": timedelta(0)}))
    time.sleep(0.01)
    with pytest.raises(ApprovalExpired, match="request the approval again"):
        resume_approval(app, approval_id, decision("approve", "alice"))
    assert PaymentGateway(app.engine).count() == 0
    assert refusals(app) == ["approval_expired"]


def test_above_the_two_person_threshold_one_approver_is_not_enough(settings: Settings) -> None:
    app, approval_id = waiting(
        settings.model_copy(update={"two_person_threshold": Decimal("10000")})
    )
    first = resume_approval(app, approval_id, decision("approve", "alice"))
    assert first.status == "awaiting_approval" and PaymentGateway(app.engine).count() == 0
    with pytest.raises(SecondApproverRequired, match="a second, different approver"):
        resume_approval(app, approval_id, decision("approve", "alice"))
    assert refusals(app) == ["second_approver_required"]
    assert PaymentGateway(app.engine).count() == 0
    assert resume_approval(app, approval_id, decision("approve", "bob")).status == "paid"
    assert PaymentGateway(app.engine).count() == 1


def test_a_payee_rewritten_in_state_after_approval_is_ignored(settings: Settings) -> None:
    """State is not the books: execution pays what the obligation and the vendor master say."""
    app, approval_id = waiting(settings)
    config = app.config("gw-1")
    app.workflow("accounts_payable").graph.invoke(
        Command(resume={**decision("approve", "alice"), "decision_id": "d1"}),
        config,
        context=app.workflow("accounts_payable").context,
        interrupt_before=["execute"],
    )
    approved = (
        app.workflow("accounts_payable").graph.get_state(config).values["payment_instruction"]
    )
    tampered = approved.model_copy(
        update={"payee_iban": "GB33BUKB20201555555555", "amount": Decimal("99999.00")}
    )
    app.workflow("accounts_payable").graph.update_state(config, {"payment_instruction": tampered})
    app.workflow("accounts_payable").graph.invoke(
        None, config, context=app.workflow("accounts_payable").context
    )

    with Session(app.engine) as session:
        (payment,) = session.scalars(select(PaymentRow)).all()
    assert payment.payee_iban == approved.payee_iban != "GB33BUKB20201555555555"
    assert payment.amount == approved.amount
    assert outcome(app, "gw-1").status == "paid"


def test_an_edit_is_bound_to_its_new_hash_and_recorded_with_the_editor(
    settings: Settings,
) -> None:
    app, approval_id = waiting(settings)
    done = resume_approval(
        app, approval_id, decision("edit", "bob", "partial", {"amount": "14000.00"})
    )
    assert done.status == "paid" and done.amount == Decimal("14000.00")
    (decided,) = audit_trail.history(app.engine, events=["decided"])
    (requested,) = audit_trail.history(app.engine, events=["requested"])
    (executed,) = audit_trail.history(app.engine, events=["executed"])
    assert (decided.actor, decided.code) == ("bob", "edit")
    assert decided.detail["previous_hash"] == requested.payload_hash
    assert executed.payload_hash == decided.payload_hash != requested.payload_hash


def test_llm_proposed_calls_outside_the_registry_or_schema_are_refused_and_recorded(
    settings: Settings,
) -> None:
    app, _ = waiting(settings)
    executor = app.workflow("accounts_payable").context.executor
    model = ScriptedChatModel(
        script=[
            tool_call("bank.wire_transfer", {"to": "attacker", "amount": "1e6"}),
            tool_call("payments__pay", {"vendor_id": "V001", "amount": "a lot"}),
        ]
    ).bind_tools(executor.registry.as_langchain_tools())
    scope = CallScope("llm-1", "agent", actor="llm")
    outcomes = [executor.run_tool_calls(model.invoke("pay").tool_calls, scope)[0] for _ in "ab"]

    assert [o.status for o in outcomes] == ["refused", "refused"]
    assert [o.refusal["code"] for o in outcomes if o.refusal] == [
        "unknown_tool",
        "invalid_arguments",
    ]
    assert PaymentGateway(app.engine).count() == 0
    trail = audit_trail.history(app.engine, thread_id="llm-1")
    assert [(e.event, e.code) for e in trail] == [
        ("refused", "unknown_tool"),
        ("refused", "invalid_arguments"),
    ]


# -- race: two processes resume the same approval at the same moment -------------------------

RACE_TRIALS = 50
BATCH = 5


def _racer(settings: Settings, approval_id: str, approver: str, start_at: float, out: str) -> None:
    with open_app(settings) as app:
        time.sleep(max(0.0, start_at - time.time()))
        try:
            resume_approval(app, approval_id, decision("approve", approver))
            result = "paid"
        except AlreadyDecided:
            result = "already decided"
        except Exception as error:  # noqa: BLE001 - reported to the test
            result = f"{type(error).__name__}: {error}"
    Path(out).write_text(result)


def receive_plenty(app: App, po_number: str) -> None:
    """A goods receipt of a million of every line of the PO, so many invoices may bill it."""
    with Session(app.engine) as session:
        po = session.get(PurchaseOrderRow, po_number)
        assert po is not None
        receipt = GoodsReceiptRow(number=f"GR-PLENTY-{po_number}", po_number=po_number)
        receipt.received_on = date(2026, 1, 1)
        receipt.lines = [
            ReceiptLineRow(line_no=n, sku=line.sku, quantity_received=Decimal("1e6"))
            for n, line in enumerate(po.lines, 1)
        ]
        session.add(receipt)
        session.commit()


def test_two_processes_resuming_one_approval_pay_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    app, _ = waiting(settings, "race-template")
    template = app.workflow("accounts_payable").graph.get_state(app.config("race-template")).values
    receive_plenty(app, template["invoice"].po_number)  # 50 invoices bill the PO 50 times
    requests = []
    for trial in range(RACE_TRIALS):  # 50 distinct invoices waiting at the gateway
        thread = f"race-{trial}"
        invoice = template["invoice"].model_copy(update={"invoice_number": f"RACE-{trial}"})
        values = {k: template[k] for k in ("document_path", "document")}
        app.workflow("accounts_payable").graph.update_state(
            app.config(thread), {**values, "invoice": invoice}, as_node="ingest"
        )
        app.workflow("accounts_payable").graph.invoke(
            None, app.config(thread), context=app.workflow("accounts_payable").context
        )
        requests.append(outcome(app, thread).approval_id)
    app.engine.dispose()

    context = multiprocessing.get_context("fork")
    answers: list[list[str]] = []
    for first in range(0, RACE_TRIALS, BATCH):
        start_at = time.time() + 0.5
        jobs = []
        for trial in range(first, first + BATCH):
            files = [tmp_path / f"{trial}-{who}" for who in ("alice", "bob")]
            for who, out in zip(("alice", "bob"), files, strict=True):
                job = context.Process(
                    target=_racer, args=(settings, requests[trial], who, start_at, str(out))
                )
                job.start()
                jobs.append(job)
            answers.append(files)  # type: ignore[arg-type]
        for job in jobs:
            job.join(timeout=120)
    results = [sorted(Path(f).read_text() for f in pair) for pair in answers]
    assert results == [["already decided", "paid"]] * RACE_TRIALS
    payments = PaymentGateway(app.engine)
    assert payments.count() == RACE_TRIALS


APPROVER_CROWD = 50


def test_fifty_approvers_resuming_one_request_at_once_pay_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    app, approval_id = waiting(settings, "crowd")
    crowd = [f"approver-{n}" for n in range(APPROVER_CROWD)]
    for user in crowd:
        add_approver(app.engine, user)
        grant(app.engine, user, "ap_approver", Decimal("1e6"))
    app.engine.dispose()

    fork = multiprocessing.get_context("fork")
    start_at = time.time() + 3.0
    outs = [tmp_path / user for user in crowd]
    jobs = [
        fork.Process(target=_racer, args=(settings, approval_id, user, start_at, str(out)))
        for user, out in zip(crowd, outs, strict=True)
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(timeout=300)
    answers = sorted(out.read_text() for out in outs)
    assert answers == ["already decided"] * (APPROVER_CROWD - 1) + ["paid"]
    assert PaymentGateway(app.engine).count() == 1
