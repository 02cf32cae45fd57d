"""The rules extractor, field by field, on every sample document (expected.json)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.domain import Invoice, SourceDocument
from examples.accuracy import EXAMPLES, accuracy, as_text, load_expected, row_text
from nodes.ingestion._lines import parse_row
from nodes.ingestion._parse import decimal_mark, parse_date, parse_number
from nodes.ingestion.errors import ExtractionError
from nodes.ingestion.extraction import RulesExtractor, find_iban
from nodes.ingestion.ingest import read_document

EXPECTED = load_expected()
CASES = [
    (name, field, want)
    for name, entry in EXPECTED.items()
    for field, want in entry["fields"].items()  # type: ignore[union-attr]
]
_cache: dict[str, Invoice] = {}


def extracted(name: str) -> Invoice:
    if name not in _cache:
        document = read_document(EXAMPLES / "documents" / name)
        _cache[name] = RulesExtractor().extract(document)
    return _cache[name]


@pytest.mark.parametrize(("name", "field", "want"), CASES, ids=[f"{n}-{f}" for n, f, _ in CASES])
def test_field(name: str, field: str, want: str | None) -> None:
    assert as_text(getattr(extracted(name), field)) == want


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e["lines"]])
def test_lines(name: str) -> None:
    got = [row_text(line.model_dump()) for line in extracted(name).lines]
    assert got == [row_text(row) for row in EXPECTED[name]["lines"]]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e["fields"]])
def test_confidence_is_high_when_numbers_agree(name: str) -> None:
    confidence = extracted(name).confidence  # 0.99 from text, 1.0 from XML, less after OCR
    assert confidence["total"] == confidence["subtotal"] >= 0.9
    assert all(0 <= v <= 1 for v in confidence.values())


def test_every_route_is_covered() -> None:
    routes = {entry["route"] for entry in EXPECTED.values()}
    assert routes == {"auto_approve", "needs_approval", "human_review", "reject"}
    assert len(EXPECTED) >= 12


def test_accuracy_is_complete() -> None:
    assert all(right == total for right, total in accuracy().values())


def test_missing_required_fields_raise() -> None:
    doc = SourceDocument(path="note.txt", kind="text", text="Hello, nothing here.", sha256="0")
    with pytest.raises(ExtractionError) as caught:
        RulesExtractor().extract(doc)
    assert caught.value.missing_fields == ["vendor_name", "invoice_number", "total"]
    assert "note.txt" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("24 Feb 2026", "2026-02-24"),
        ("05.03.2026", "2026-03-05"),
        ("06/03/2026", "2026-03-06"),
        ("5. März 2026", "2026-03-05"),
        ("6 juillet 2026", "2026-07-06"),
        ("March 2, 2026", "2026-03-02"),
        ("2026-03-02", "2026-03-02"),
        ("12/24/2026", "2026-12-24"),
    ],
)
def test_dates(text: str, want: str | None) -> None:
    assert as_text(parse_date(text)) == want


@pytest.mark.parametrize(
    ("token", "mark", "want"),
    [
        ("1,234.56", ".", "1234.56"),
        ("1.234,56", ",", "1234.56"),
        ("1 234,56", ",", "1234.56"),
        ("1.000", ",", "1000"),
        ("12x", ".", None),
    ],
)
def test_numbers(token: str, mark: str, want: str | None) -> None:
    assert as_text(parse_number(token, mark)) == want


def test_decimal_mark_ignores_dates() -> None:
    assert decimal_mark("Datum 05.03.2026 Betrag 1.156,00 und 375,20") == ","


def test_french_row_with_space_thousands() -> None:
    row = parse_row("AL-PEN-12 Suspension en laiton, 12 ampoules 2 1 180,00 2 360,00", ",")
    assert row is not None and (row.quantity, row.unit_price) == (Decimal(2), Decimal("1180.00"))


def test_iban_must_pass_mod_97() -> None:
    assert find_iban("IBAN: DE89 3704 0044 0532 0130 00 BIC X") == "DE89370400440532013000"
    assert find_iban("IBAN: DE88 3704 0044 0532 0130 00") is None


def test_po_box_is_not_a_po_number() -> None:
    text = "Acme Ltd\nPO Box 42\nInvoice No.: A-1\nTotal due 10.00 EUR\n"
    doc = SourceDocument(path="a.txt", kind="text", text=text, sha256="0")
    assert RulesExtractor().extract(doc).po_number is None
