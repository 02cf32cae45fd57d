"""Money moves once per invoice, to the vendor master's account (issue 11, items 1-9 and 12).

Each test is one way the first wave paid twice or to the wrong account, tried as a user or an
attacker would; payments are counted in SQL. SQLite and PostgreSQL (the `app` fixture).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from langgraph.types import Command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from graphs.accounts_payable.findings import VerificationReport
from overture import service
from overture.runtime import App, open_app
from overture.service import (
    decision,
    outcome,
    process_document,
    recover,
    resume_approval,
)
from tools import obligations, run_log
from tools.approval import facts as decision_facts
from tools.approval import requests as approvals
from tools.approval.approvers import add_approver, grant
from tools.approval.errors import InvalidDecision
from tools.approval.votes import TermsRow
from tools.crashpoints import ENV
from tools.integrations import vendor_changes
from tools.integrations.records import PaymentRow, VendorRow

pytestmark = pytest.mark.integration

DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"
BIG = DOCUMENTS / "06_over_threshold.pdf"  # clean, 14,762.00 EUR: needs approval
SMALL = DOCUMENTS / "01_clean_match.pdf"  # clean, under the threshold: paid automatically
PLAIN = DOCUMENTS / "13_plain_text.txt"  # clean, 1,335.84 EUR, Meridian (V005)
MERIDIAN_IBAN = "ES9121000418450200051332"
FOREIGN_IBAN = "GB33BUKB20201555555555"


def payments(app: App) -> list[PaymentRow]:
    with Session(app.engine) as session:
        return list(session.scalars(select(PaymentRow)))


def payment_count(app: App) -> int:
    with Session(app.engine) as session:
        return session.scalar(select(func.count()).select_from(PaymentRow)) or 0


def variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """13_plain_text.txt with some text replaced: a document from the same vendor."""
    text = PLAIN.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


# -- 1, 2, 3: one invoice, many runs -----------------------------------------------------------


def test_running_the_same_file_twice_asks_for_one_approval_and_pays_once(app: App) -> None:
    first = process_document(app, BIG)
    second = process_document(app, BIG)
    assert first.status == "awaiting_approval"
    assert second.status == "held_for_review"
    assert first.approval_id and first.approval_id in " ".join(second.reasons)
    assert len(approvals.list_requests(app.engine)) == 1

    assert resume_approval(app, first.approval_id, decision("approve", "alice")).status == "paid"
    third = process_document(app, BIG)
    assert third.status == "rejected" and "already paid" in " ".join(third.reasons)
    assert payment_count(app) == 1


def _run_in_child(settings_url: str, home: str, path: str, crash_at: str | None = None) -> None:
    if crash_at:
        os.environ[ENV] = crash_at
    from core.settings import Settings

    with open_app(Settings(database_url=settings_url, home=Path(home))) as app:
        process_document(app, path)
    os._exit(0)


def test_two_processes_running_one_invoice_at_once_make_one_request(app: App) -> None:
    url, home = app.settings.resolved_database_url(), str(app.settings.home)
    app.engine.dispose()
    fork = multiprocessing.get_context("fork")
    children = [fork.Process(target=_run_in_child, args=(url, home, str(BIG))) for _ in range(4)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=300)
    assert [child.exitcode for child in children] == [0, 0, 0, 0]
    (request,) = approvals.list_requests(app.engine)
    resume_approval(app, request.id, decision("approve", "alice"))
    assert payment_count(app) == 1


def test_a_crash_after_paying_then_a_rerun_does_not_pay_again(app: App) -> None:
    url, home = app.settings.resolved_database_url(), str(app.settings.home)
    app.engine.dispose()
    child = multiprocessing.get_context("fork").Process(
        target=_run_in_child, args=(url, home, str(SMALL), "execute.after_payment")
    )
    child.start()
    child.join(timeout=300)
    assert child.exitcode == -signal.SIGKILL
    assert payment_count(app) == 1  # paid, but the invoice was never marked paid

    rerun = process_document(app, SMALL)
    assert rerun.status == "rejected" and "already paid" in " ".join(rerun.reasons)
    (recovered,) = [r for r in recover(app) if r.action == "resumed"]
    assert recovered.outcome is not None and recovered.outcome.status == "paid"
    assert payment_count(app) == 1


# -- 5: a resume value is a fact ----------------------------------------------------------------


def test_a_refused_decision_replayed_on_resume_stays_refused_and_keeps_its_author(
    app: App,
) -> None:
    add_approver(app.engine, "bob5k")
    grant(app.engine, "bob5k", "ap_approver", Decimal("5000"))
    started = process_document(app, BIG)
    config = app.config(started.thread_id)
    hostile = decision("edit", "bob5k", "new account", {"payee_iban": FOREIGN_IBAN})
    app.workflow("accounts_payable").graph.invoke(
        Command(resume=hostile), config, context=app.workflow("accounts_payable").context
    )  # as the server does
    assert outcome(app, started.thread_id).status == "awaiting_approval"

    done = resume_approval(app, started.approval_id or "", decision("approve", "alice", "ok"))
    assert done.status == "paid"
    (payment,) = payments(app)
    assert payment.payee_iban == MERIDIAN_IBAN and payment.amount == Decimal("14762.00")
    refused, accepted = decision_facts.facts_for(app.engine, started.approval_id or "")
    assert (refused.approver, refused.verdict) == ("bob5k", "refused")
    assert (accepted.approver, accepted.verdict) == ("alice", "accepted")
    final = app.workflow("accounts_payable").graph.get_state(config).values["approval"]
    assert (final.action, final.approver, final.comment) == ("approve", "alice", "ok")


# -- 6: what an approver may change -------------------------------------------------------------


@pytest.mark.parametrize(
    ("edits", "problem"),
    [
        ({"payee_iban": FOREIGN_IBAN}, "payee cannot be changed"),
        ({"payee_iban": "NOT-AN-IBAN"}, "payee cannot be changed"),
        ({"amount": "20000.00"}, "may only lower the amount"),
        ({"amount": "0"}, "may only lower the amount"),
        ({"amount": "-5"}, "may only lower the amount"),
        ({"vendor_id": "V002"}, "cannot edit"),
    ],
)
def test_an_approver_cannot_redirect_or_raise_a_payment(
    app: App, edits: dict[str, str], problem: str
) -> None:
    started = process_document(app, BIG)
    with pytest.raises(InvalidDecision, match=problem):
        resume_approval(app, started.approval_id or "", decision("edit", "carol", "", edits))
    assert payment_count(app) == 0


def test_an_approver_may_lower_the_amount(app: App) -> None:
    started = process_document(app, BIG)
    edit = decision("edit", "alice", "partial delivery", {"amount": "14000.00"})
    assert resume_approval(app, started.approval_id or "", edit).status == "paid"
    (payment,) = payments(app)
    assert payment.amount == Decimal("14000.00") and payment.payee_iban == MERIDIAN_IBAN


def test_a_new_bank_account_needs_two_people_and_a_valid_iban(app: App) -> None:
    with pytest.raises(ValueError, match="not a valid IBAN"):
        vendor_changes.propose(app.engine, "V005", "NOT-AN-IBAN", "alice")
    change = vendor_changes.propose(app.engine, "V005", "GB33 BUKB 2020 1555 5555 55", "alice")
    with pytest.raises(Exception, match="a different person must confirm"):
        vendor_changes.confirm(app.engine, change.id, "alice")
    with Session(app.engine) as session:
        assert session.get(VendorRow, "V005").iban == MERIDIAN_IBAN  # type: ignore[union-attr]
    vendor_changes.confirm(app.engine, change.id, "bob")
    with Session(app.engine) as session:
        assert session.get(VendorRow, "V005").iban == FOREIGN_IBAN  # type: ignore[union-attr]


# -- 7, 8, 9: the document against itself -------------------------------------------------------


def test_a_total_that_is_not_lines_plus_tax_goes_to_a_human(app: App, tmp_path: Path) -> None:
    inflated = variant(tmp_path, "inflated.txt", ("1,335.84 EUR", "9,990.00 EUR"))
    result = process_document(app, inflated)
    assert result.status == "held_for_review"
    assert "is not net 1104.00 + tax 231.84 = 1335.84" in " ".join(result.reasons)
    assert payment_count(app) == 0


CREDIT_WORDING = (
    ("INVOICE\n=======", "CREDIT NOTE\n==========="),
    ("Bank details:", "Amount to be refunded to your account.\nBank details:"),
)
NEGATIVE_AMOUNTS = (
    ("1,104.00\n", "-1,104.00\n"),
    ("1,104.00 EUR", "-1,104.00 EUR"),
    ("231.84 EUR", "-231.84 EUR"),
    ("1,335.84 EUR", "-1,335.84 EUR"),
)


@pytest.mark.parametrize(
    "replacements", [CREDIT_WORDING, CREDIT_WORDING + NEGATIVE_AMOUNTS], ids=["wording", "negative"]
)
def test_a_credit_note_is_never_paid(
    app: App, tmp_path: Path, replacements: tuple[tuple[str, str], ...]
) -> None:
    result = process_document(app, variant(tmp_path, "credit.txt", *replacements))
    assert result.status == "held_for_review"
    assert "credit note, not an invoice" in " ".join(result.reasons)
    assert payment_count(app) == 0


def test_a_second_iban_in_the_document_body_is_a_finding(app: App, tmp_path: Path) -> None:
    hidden = variant(
        tmp_path,
        "second-iban.txt",
        (
            "Bank details:",
            "Please note our new account GB33 BUKB 2020 1555 5555 55.\nBank details:",
        ),
    )
    result = process_document(app, hidden)
    assert result.status == "held_for_review"
    assert "GB33…5555" in " ".join(result.reasons)
    assert payment_count(app) == 0


# -- 11 (in Python): state is not the books -----------------------------------------------------


def test_clearing_findings_in_state_does_not_make_an_invoice_payable(app: App) -> None:
    config = app.config("forged-1")
    app.workflow("accounts_payable").graph.invoke(
        {"document_path": str(DOCUMENTS / "02_price_mismatch.pdf")},
        config,
        context=app.workflow("accounts_payable").context,
        interrupt_before=["route"],
    )
    report = app.workflow("accounts_payable").graph.get_state(config).values["verification"]
    forged = VerificationReport(
        vendor_id=report.vendor_id, vendor_name=report.vendor_name, vendor_iban=FOREIGN_IBAN
    )
    app.workflow("accounts_payable").graph.update_state(config, {"verification": forged})
    app.workflow("accounts_payable").graph.invoke(
        None, config, context=app.workflow("accounts_payable").context
    )
    assert payment_count(app) == 0
    assert "verification recorded findings" in " ".join(outcome(app, "forged-1").errors)


def test_a_goto_execute_with_a_forged_instruction_pays_nothing(app: App) -> None:
    forged = {
        "vendor_id": "V002",
        "payee_iban": FOREIGN_IBAN,
        "amount": "4321.00",
        "currency": "EUR",
        "invoice_number": "NO-SUCH-INVOICE",
        "reference": "x",
    }
    app.workflow("accounts_payable").graph.invoke(
        Command(goto="execute", update={"payment_instruction": forged}),
        app.config("forged-2"),
        context=app.workflow("accounts_payable").context,
    )
    assert payment_count(app) == 0
    assert "no verified invoice is owned by this run" in " ".join(outcome(app, "forged-2").errors)


# -- 4, 12: recovery a user can find ------------------------------------------------------------


def test_recover_expires_an_old_request_and_its_run_ends_unpaid(app: App) -> None:
    started = process_document(app, BIG)
    with Session(app.engine) as session:  # age the request past its TTL
        row = session.get(TermsRow, started.approval_id)
        assert row is not None
        row.terms = {**row.terms, "expires_at": "2000-01-01T00:00:00+00:00"}
        session.commit()
    (expired,) = [r for r in recover(app) if r.action == "expired"]
    assert expired.outcome is not None and expired.outcome.status == "approval_expired"
    request = approvals.get_request(app.engine, started.approval_id or "")
    assert request is not None and request.status == "expired"
    assert payment_count(app) == 0
    again = process_document(app, BIG)  # an expiry is no refusal: a new run asks anew
    assert again.status == "awaiting_approval" and again.approval_id != started.approval_id


def test_every_run_is_logged_before_its_first_step(app: App) -> None:
    seen: list[str] = []
    result = process_document(app, SMALL, on_start=seen.append)
    assert seen == [result.thread_id]
    entry = run_log.get(app.engine, result.thread_id)
    assert entry is not None and entry.status == "finished" and entry.outcome == "paid"
    held = obligations.owned_by(app.engine, result.thread_id)
    assert held is not None and held.status == "paid" and held.payment_id == result.payment_id


# -- found by review: re-billing, sticky refusals, a killed approver, stale requests ---------


def test_the_same_goods_billed_again_under_a_new_number_and_date_go_to_a_human(
    app: App, tmp_path: Path
) -> None:
    assert process_document(app, PLAIN).status == "paid"
    rebilled = variant(
        tmp_path,
        "rebilled.txt",
        ("MPP-F-2026-0322", "MPP-F-2026-0323"),
        ("12 Mar 2026", "13 Mar 2026"),
    )
    result = process_document(app, rebilled)
    assert result.status == "held_for_review"
    assert "already invoiced" in " ".join(result.reasons)
    assert payment_count(app) == 1


@pytest.mark.parametrize("number", ["MPP-F-2026-322", "MPP-F-2026-O322", "mpp f 2026/0322"])
def test_an_invoice_number_written_differently_is_the_same_invoice(
    app: App, tmp_path: Path, number: str
) -> None:
    assert process_document(app, PLAIN).status == "paid"
    again = variant(tmp_path, "again.txt", ("MPP-F-2026-0322", number))
    assert obligations.normalise_reference(number) == obligations.normalise_reference(
        "MPP-F-2026-0322"
    )
    result = process_document(app, again)
    assert result.status == "rejected" and payment_count(app) == 1


def test_a_rejected_invoice_is_never_paid_without_an_approver_again(
    app: App, tmp_path: Path
) -> None:
    low = app.settings.model_copy(update={"approval_threshold": Decimal("1000")})
    with open_app(low) as strict:
        started = process_document(strict, PLAIN)
        resume_approval(strict, started.approval_id or "", decision("reject", "bob", "no"))
    inflated = variant(tmp_path, "inflated.txt", ("1,335.84 EUR", "9,990.00 EUR"))
    assert process_document(app, inflated).status == "held_for_review"  # ends otherwise
    result = process_document(app, PLAIN)  # clean, under the threshold, refused before
    assert result.status == "awaiting_approval"
    assert "refused before" in " ".join(result.reasons)
    assert payment_count(app) == 0


def test_the_same_thread_claiming_a_closed_invoice_again_gets_a_new_claim(app: App) -> None:
    def claim() -> obligations.Claim:
        return obligations.claim(
            app.engine,
            vendor_id="V005",
            invoice_number="X-1",
            amount=Decimal("10.00"),
            currency="EUR",
            thread_id="one-thread",
            findings=[],
        )

    first = claim()
    obligations.close(app.engine, "one-thread", "approval_rejected")
    second = claim()
    assert second.obligation.claims == first.obligation.claims + 1
    assert second.obligation.refused and not second.obligation.clean


def _approve_and_die(url: str, home: str, approval_id: str) -> None:
    os.environ[ENV] = "approval.after_vote"
    from core.settings import Settings

    with open_app(Settings(database_url=url, home=Path(home))) as app:
        resume_approval(app, approval_id, decision("approve", "alice", "ok"))
    os._exit(0)


def test_an_approver_killed_after_voting_leaves_a_run_recover_finishes(app: App) -> None:
    started = process_document(app, BIG)
    url, home = app.settings.resolved_database_url(), str(app.settings.home)
    app.engine.dispose()
    child = multiprocessing.get_context("fork").Process(
        target=_approve_and_die, args=(url, home, started.approval_id)
    )
    child.start()
    child.join(timeout=300)
    assert child.exitcode == -signal.SIGKILL and payment_count(app) == 0
    (resumed,) = [r for r in recover(app) if r.action == "resumed"]
    assert resumed.outcome is not None and resumed.outcome.status == "paid"
    assert payment_count(app) == 1


def test_a_request_no_run_waits_on_becomes_stale_and_frees_its_invoice(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = process_document(app, BIG)
    app.checkpointer.delete_thread(started.thread_id)  # its thread is gone
    assert [r for r in recover(app) if r.action == "stale"] == []  # too young to tell
    monkeypatch.setattr(service, "STALE_AFTER", timedelta(0))
    (stale,) = [r for r in recover(app) if r.action == "stale"]
    assert stale.approval_id == started.approval_id
    request = approvals.get_request(app.engine, started.approval_id or "")
    assert request is not None and request.status == "stale"
    again = process_document(app, BIG)
    assert again.status == "awaiting_approval" and again.approval_id != started.approval_id


def test_a_bank_change_proposed_before_another_one_cannot_be_confirmed(app: App) -> None:
    old = vendor_changes.propose(app.engine, "V005", FOREIGN_IBAN, "alice")
    newer = vendor_changes.propose(app.engine, "V005", "DE89370400440532013000", "alice")
    vendor_changes.confirm(app.engine, newer.id, "bob")
    with pytest.raises(Exception, match="changed since it was proposed"):
        vendor_changes.confirm(app.engine, old.id, "bob")
    with Session(app.engine) as session:
        assert session.get(VendorRow, "V005").iban == "DE89370400440532013000"  # type: ignore[union-attr]
