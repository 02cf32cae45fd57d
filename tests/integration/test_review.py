"""A run held for review continues from what it kept once a reviewer completes it (issue 12):
a partial extraction completed with `--set`, a new vendor onboarded, an OCR reading confirmed.
SQLite and PostgreSQL (the `app` fixture); payments counted in SQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import Vendor
from core.settings import Settings
from overture.cli import app as cli
from overture.errors import NotHeldForReview
from overture.runtime import App, open_app
from overture.service import process_document, review
from tests.databases import throwaway_database
from tools.integrations import vendor_changes
from tools.integrations.records import PaymentRow
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration

DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"
PLAIN = DOCUMENTS / "13_plain_text.txt"  # clean, 1,335.84 EUR, Meridian (V005)


def payment_count(app: App) -> int:
    with Session(app.engine) as session:
        return session.scalar(select(func.count()).select_from(PaymentRow)) or 0


@pytest.fixture
def partial(tmp_path: Path) -> Path:
    """13_plain_text.txt without its invoice number."""
    text = PLAIN.read_text().replace("Invoice No.:      MPP-F-2026-0322\n", "")
    path = tmp_path / "no-number.txt"
    path.write_text(text)
    return path


def test_a_partial_invoice_completed_by_a_reviewer_continues_to_payment(
    app: App, partial: Path
) -> None:
    held = process_document(app, partial)
    assert held.status == "held_for_review" and "invoice_number" in " ".join(held.reasons)
    draft = (
        app.workflow("accounts_payable").graph.get_state(app.config(held.thread_id)).values["draft"]
    )
    assert draft.total is not None and draft.invoice_number is None  # what was found is kept

    done = review(app, held.thread_id, {"invoice_number": "MPP-F-2026-0322"}, "alice")
    assert done.status == "paid" and payment_count(app) == 1
    values = app.workflow("accounts_payable").graph.get_state(app.config(held.thread_id)).values
    assert values["reviewed_by"] == "alice"
    assert values["invoice"].sources["invoice_number"] == "reviewer"
    assert any("completed by reviewer alice" in line for line in values["trail"])


def test_a_review_that_leaves_a_required_field_empty_stays_held_and_says_which(
    app: App, partial: Path
) -> None:
    held = process_document(app, partial)
    again = review(app, held.thread_id, {"po_number": "PO-2026-0111"}, "alice")
    assert again.status == "held_for_review"
    assert "still missing: invoice_number" in " ".join(again.reasons)
    assert payment_count(app) == 0


def test_a_new_vendor_is_held_with_its_details_and_verified_again_once_onboarded(
    app: App,
) -> None:
    held = process_document(app, DOCUMENTS / "03_unknown_vendor.pdf")
    assert held.status == "held_for_review"
    reasons = " ".join(held.reasons)
    assert "new vendor" in reasons and "Quantum Ridge Consulting Ltd" in reasons
    vendor_changes.onboard(
        app.engine,
        Vendor(
            id="V900",
            name="Quantum Ridge Consulting Ltd",
            iban="GB79BARC20325346127834",
            country="GB",
        ),
        "alice",
    )
    again = review(app, held.thread_id, {}, "alice")
    assert "new vendor" not in " ".join(again.reasons)  # known now; its PO is checked next
    assert again.status == "held_for_review" and payment_count(app) == 0


def test_a_run_that_is_not_held_cannot_be_reviewed(app: App) -> None:
    waiting = process_document(app, DOCUMENTS / "06_over_threshold.pdf")
    with pytest.raises(NotHeldForReview, match="waits for an approval"):
        review(app, waiting.thread_id, {"total": "1.00"}, "alice")
    assert payment_count(app) == 0


def test_an_invoice_read_by_ocr_is_paid_only_once_a_reviewer_confirms_it(app: App) -> None:
    held = process_document(app, DOCUMENTS / "16_scanned_invoice.pdf")
    assert held.status == "held_for_review" and "OCR" in " ".join(held.reasons)
    assert payment_count(app) == 0
    done = review(app, held.thread_id, {}, "alice", confirm=True)
    assert done.status == "paid" and payment_count(app) == 1


def test_overture_review_on_the_cli_completes_a_held_run(
    partial: Path, tmp_path: Path, cli_on, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path / ".overture")  # single-user mode is SQLite-only
    with open_app(settings) as app:
        load_seed_file(app.engine)
        held = process_document(app, partial)
    monkeypatch.setenv("OVERTURE_SINGLE_USER", "true")
    runner = cli_on(settings.resolved_database_url())
    args = ["review", held.thread_id, "--set", "invoice_number=MPP-F-2026-0322", "--as", "bob"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "paid" in result.output
    with open_app(settings) as app:
        assert payment_count(app) == 1


def test_overture_review_needs_a_key_beyond_the_sqlite_demo(
    partial: Path, tmp_path: Path, cli_on, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        throwaway_database("postgres", tmp_path) as url,
        open_app(Settings(database_url=url, home=tmp_path / ".overture")) as app,
    ):
        load_seed_file(app.engine)
        held = process_document(app, partial)
        monkeypatch.setenv("OVERTURE_SINGLE_USER", "true")
        result = cli_on(url).invoke(cli, ["review", held.thread_id, "--as", "bob"])
        assert result.exit_code == 1 and "OVERTURE_API_KEY" in result.output
        assert payment_count(app) == 0
