"""The whole accounts-payable graph on real databases with the SQL checkpointer.

Every sample document ends on its expected route (SQLite and PostgreSQL); an approval is
given by a separate process after the first has exited; bad inputs are held for review with
a message naming the file while the other files go on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from overture.runtime import App, open_app
from overture.service import outcome, process_document
from tools import audit_log
from tools.api_keys import create_token
from tools.approval import requests as approvals
from tools.integrations.payments import PaymentGateway
from tools.integrations.records import InvoiceRow
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "examples" / "documents"
EXPECTED = json.loads((ROOT / "examples" / "expected.json").read_text(encoding="utf-8"))
CLI = [sys.executable, "-m", "overture.cli"]


def cli(
    settings: Settings, *args: str, key: str | None = None, single_user: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a new process on the test's database (wide, so lines don't wrap), as
    the owner of API key `key`, or in the labelled single-user demo mode."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("OVERTURE_API_KEY",)},
        "OVERTURE_DATABASE_URL": settings.resolved_database_url(),
        "OVERTURE_HOME": str(settings.home),
        "COLUMNS": "400",
    }
    if key is not None:
        env["OVERTURE_API_KEY"] = key
    if single_user:
        env["OVERTURE_SINGLE_USER"] = "true"
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_every_sample_document_ends_on_its_expected_route(app: App) -> None:
    wrong = []
    for name, want in EXPECTED.items():
        result = process_document(app, DOCUMENTS / name, f"it-{Path(name).stem}")
        reasons = " ".join(result.reasons).lower()
        if result.route != want["route"] or want["reason"].lower() not in reasons:
            wrong.append((name, want["route"], want["reason"], result.route, result.reasons))
        expected_status = {
            "auto_approve": "paid",
            "needs_approval": "awaiting_approval",
            "human_review": "held_for_review",
            "reject": "rejected",
        }[want["route"]]
        assert result.status == expected_status, (name, result)
    assert not wrong, wrong
    paid = sum(1 for want in EXPECTED.values() if want["route"] == "auto_approve")
    assert PaymentGateway(app.engine).count() == paid
    assert len(approvals.list_requests(app.engine)) == sum(
        1 for want in EXPECTED.values() if want["route"] == "needs_approval"
    )


def test_approval_in_a_separate_process_after_the_first_exited(settings: Settings) -> None:
    with open_app(settings) as app:
        load_seed_file(app.engine)
        _, alice = create_token(app.engine, "alice")
        _, bob = create_token(app.engine, "bob")
    started = cli(settings, "run", str(DOCUMENTS / "06_over_threshold.pdf"))
    assert started.returncode == 0, started.stderr
    with open_app(settings) as app:
        (request,) = approvals.list_requests(app.engine)
        assert PaymentGateway(app.engine).count() == 0
    assert f"started {request.thread_id}" in started.stdout
    listed = cli(settings, "approvals")
    assert request.id in listed.stdout and "14762.00" in listed.stdout

    decided = cli(settings, "approve", request.id, "--comment", "checked", key=alice)
    assert decided.returncode == 0, decided.stderr
    assert "paid" in decided.stdout

    with open_app(settings) as app:
        result = outcome(app, request.thread_id)
        assert result.status == "paid" and result.payment_id
        assert PaymentGateway(app.engine).count() == 1
        with Session(app.engine) as session:
            row = session.scalar(
                select(InvoiceRow).where(InvoiceRow.invoice_number == "MPP-F-2026-0311")
            )
            assert row is not None and row.status == "paid" and row.payment_id == result.payment_id
        record = audit_log.get_record(app.engine, request.thread_id)
        assert record is not None and record.outcome == "paid"
        assert "alice" in record.summary and result.payment_id in record.summary

    again = cli(settings, "approve", request.id, key=bob)
    assert again.returncode == 1 and "already decided" in again.stderr


def test_a_typed_name_does_not_approve_without_a_key(settings: Settings) -> None:
    with open_app(settings) as app:
        load_seed_file(app.engine)
        started = process_document(app, DOCUMENTS / "06_over_threshold.pdf")
    typed = cli(settings, "approve", started.approval_id or "", "--as", "alice")
    assert typed.returncode == 1 and "OVERTURE_API_KEY" in typed.stderr
    forged = cli(settings, "approve", started.approval_id or "", key="ovt_not-a-real-key")
    assert forged.returncode == 1 and "unknown, revoked" in forged.stderr
    with open_app(settings) as app:
        assert PaymentGateway(app.engine).count() == 0
        assert outcome(app, started.thread_id).status == "awaiting_approval"


def test_reject_from_another_process_pays_nothing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / ".overture")  # SQLite only: the approve test covers both
    with open_app(settings) as app:
        load_seed_file(app.engine)
        started = process_document(app, DOCUMENTS / "06_over_threshold.pdf")
    rejected = cli(
        settings,
        "reject",
        started.approval_id,
        "--as",
        "bob",
        "--reason",
        "no PO",
        single_user=True,
    )
    assert rejected.returncode == 0, rejected.stderr
    assert "single-user mode" in rejected.stderr
    with open_app(settings) as app:
        assert outcome(app, started.thread_id).status == "approval_rejected"
        assert PaymentGateway(app.engine).count() == 0
        shown = cli(settings, "show", started.thread_id)
        assert "approval_rejected" in shown.stdout and "needs_approval" in shown.stdout


def test_bad_inputs_are_held_for_review_and_the_others_go_on(tmp_path: Path) -> None:
    from examples.make_documents import make_bad_inputs

    settings = Settings(home=tmp_path / ".overture")
    with open_app(settings) as app:
        load_seed_file(app.engine)
    bad = make_bad_inputs(tmp_path / "bad")
    good = DOCUMENTS / "01_clean_match.pdf"
    files = [str(p) for p in bad.values()]
    files.insert(3, str(good))  # a good file in the middle still gets paid

    ran = cli(settings, "run", *files)
    assert ran.returncode == 0, ran.stderr
    for path in bad.values():
        line = next((x for x in ran.stderr.splitlines() if str(path) in x), None)
        assert line is not None, f"no message names {path}:\n{ran.stderr}"

    with open_app(settings) as app:
        held = {r.document_path: r for r in audit_log.list_records(app.engine, "held_for_review")}
        for kind, path in bad.items():
            record = held.get(str(path))
            assert record is not None, kind
            assert record.route == "human_review" and record.errors, kind
            assert str(path) in record.errors[0], kind
        assert PaymentGateway(app.engine).count() == 1
    listed = cli(settings, "approvals")
    assert all(path.name in listed.stdout for path in bad.values())
