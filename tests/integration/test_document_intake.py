"""Documents through the whole graph on real databases (issue 11, items 10 and 12): an upload
is paid with no bytes left in state; a folder named as a document is held for review with an
audit record and a message naming it, instead of ending `failed` unrecorded."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.settings import Settings
from nodes.ingestion.state import DocumentUpload
from overture.cli import app as cli
from overture.runtime import App, open_app
from overture.service import outcome
from tests.databases import throwaway_database
from tools import audit_log
from tools.integrations.payments import PaymentRow
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration

CLEAN = Path(__file__).resolve().parents[2] / "examples" / "documents" / "01_clean_match.pdf"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    with open_app(Settings(database_url=database_url, home=tmp_path / ".overture")) as opened:
        load_seed_file(opened.engine)
        yield opened


def payments(app: App) -> int:
    with Session(app.engine) as session:
        return session.scalar(select(func.count()).select_from(PaymentRow)) or 0


def test_an_uploaded_invoice_is_paid_and_its_bytes_leave_the_thread_state(app: App) -> None:
    upload: DocumentUpload = {
        "name": CLEAN.name,
        "content_base64": base64.b64encode(CLEAN.read_bytes()).decode(),
    }
    app.workflow("accounts_payable").graph.invoke(
        {"upload": upload},
        app.config("ap-upload-1"),
        context=app.workflow("accounts_payable").context,
    )
    assert outcome(app, "ap-upload-1").status == "paid"
    values = app.workflow("accounts_payable").graph.get_state(app.config("ap-upload-1")).values
    assert values.get("upload") is None and values["document_path"] == CLEAN.name
    assert payments(app) == 1


def test_a_folder_given_as_a_document_is_held_for_review_with_an_audit_record(
    database_url: str, tmp_path: Path, cli_on: Callable[[str], CliRunner]
) -> None:
    folder = tmp_path / "invoices"
    folder.mkdir()
    with open_app(Settings(database_url=database_url)) as opened:
        load_seed_file(opened.engine)
    runner = cli_on(database_url)

    ran = runner.invoke(cli, ["run", str(folder)], env={"COLUMNS": "400"})
    assert ran.exit_code == 0, ran.output
    assert "is a folder" in ran.output and str(folder) in ran.output

    with open_app(Settings(database_url=database_url)) as opened:
        (record,) = audit_log.list_records(opened.engine, "held_for_review")
        assert record.document_path == str(folder) and record.route == "human_review"
        assert "is a folder" in record.errors[0]
        assert payments(opened) == 0
    listed = runner.invoke(cli, ["approvals"], env={"COLUMNS": "400"})
    assert str(folder) in listed.output  # among the runs held for review
