from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core.db import make_engine
from graphs.accounts_payable.verification import verify_invoice
from tests.ap_helpers import clean_invoice, seeded_engine
from tools.integrations.matching import best_vendor, normalise
from tools.integrations.seed import read_seed
from tools.migrate import upgrade

TOLERANCE = Decimal("0.02")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    engine = seeded_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'ap.db'}")
    with Session(engine) as session:
        yield session
    engine.dispose()


def codes(report) -> list[str]:
    return [f.code for f in report.findings]


@pytest.mark.parametrize(
    "name",
    [
        "Nordwind Bürobedarf GmbH",
        "NORDWIND BUEROBEDARF",
        "Nordwind Office Supplies",  # alias
        "Nordwind Burobedarf GmbH",  # one letter off
    ],
)
def test_vendor_fuzzy_match_finds_names_and_aliases(name: str) -> None:
    vendor, score = best_vendor(name, read_seed().vendors)
    assert vendor is not None and vendor.id == "V001", score


def test_unrelated_vendor_is_not_matched() -> None:
    vendor, score = best_vendor("Quantum Ridge Consulting Ltd", read_seed().vendors)
    assert vendor is None and score < 0.6


def test_normalise_drops_legal_forms_and_accents() -> None:
    assert normalise("Castell Industrial Parts B.V.") == "castell industrial parts"
    assert normalise("Atelier Lumière SARL") == "atelier lumiere"


def test_clean_invoice_has_no_findings(session) -> None:
    report = verify_invoice(clean_invoice(), session, TOLERANCE)
    assert report.clean and report.vendor_id == "V001"


def test_unknown_vendor(session) -> None:
    report = verify_invoice(clean_invoice(vendor_name="Nobody Ltd"), session, TOLERANCE)
    assert codes(report) == ["vendor_unknown"]


def test_duplicate_by_number_and_by_total_and_date(session) -> None:
    by_number = clean_invoice(invoice_number="NW-2026-00388")
    assert "duplicate" in codes(verify_invoice(by_number, session, TOLERANCE))


def test_bank_details_differ_ignores_spacing(session) -> None:
    spaced = clean_invoice(iban="de48 2004 0060 0123 4567 01")
    assert verify_invoice(spaced, session, TOLERANCE).clean
    other = clean_invoice(iban="LT121000011101001000")
    report = verify_invoice(other, session, TOLERANCE)
    assert codes(report) == ["bank_details_differ"]
    assert (
        "1000" in report.findings[0].message and "LT12100001110" not in report.findings[0].message
    )


def test_missing_po_and_unknown_po(session) -> None:
    assert codes(verify_invoice(clean_invoice(po_number=None), session, TOLERANCE)) == [
        "po_missing"
    ]
    assert codes(verify_invoice(clean_invoice(po_number="PO-9"), session, TOLERANCE)) == [
        "po_not_found"
    ]


def test_price_within_tolerance_passes_and_beyond_names_the_line(session) -> None:
    invoice = clean_invoice()
    invoice.lines[1].unit_price = Decimal("65.70")  # +1.9%
    assert verify_invoice(invoice, session, TOLERANCE).clean
    invoice.lines[1].unit_price = Decimal("66.00")  # +2.3%
    report = verify_invoice(invoice, session, TOLERANCE)
    assert codes(report) == ["price_mismatch"]
    assert report.findings[0].line == 2 and "NW-215" in report.findings[0].message


def test_quantity_over_received(session) -> None:
    invoice = clean_invoice()
    invoice.lines[0].quantity = Decimal("400")
    assert "quantity_over_received" in codes(verify_invoice(invoice, session, TOLERANCE))


def test_line_matched_by_description_when_sku_missing(session) -> None:
    invoice = clean_invoice()
    invoice.lines[0].sku = None
    assert verify_invoice(invoice, session, TOLERANCE).clean


def test_duplicate_by_total_and_date(session) -> None:
    from tools.integrations.records import mark_invoice_paid

    mark_invoice_paid(
        session,
        vendor_id="V001",
        invoice_number="OTHER-1",
        invoice_date=date(2026, 2, 24),
        total=Decimal("1838.55"),
        currency="EUR",
        payment_id="pay-x",
        source="test",
    )
    session.flush()
    report = verify_invoice(clean_invoice(), session, TOLERANCE)
    session.rollback()
    assert codes(report) == ["duplicate"] and "total and date" in report.findings[0].message


def test_an_invoice_on_empty_books_says_the_vendor_master_is_empty(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    try:
        with Session(engine) as empty:
            report = verify_invoice(clean_invoice(), empty, TOLERANCE)
    finally:
        engine.dispose()
    (finding,) = report.findings
    assert finding.code == "vendor_unknown"
    assert "vendor master is empty" in finding.message and "overture seed" in finding.message
