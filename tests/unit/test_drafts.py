"""A reviewer completes a partial extraction with `--set field=value`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.domain import SourceDocument
from nodes.ingestion.drafts import ReviewEditError, complete_from_review, parse_assignments
from nodes.ingestion.extraction import draft_of

PARTIAL = SourceDocument(
    path="p.txt",
    kind="text",
    text="Nordwind Bürobedarf GmbH\nGesamtbetrag  1.838,55 EUR\n",
    sha256="0",
)


def test_set_pairs_complete_a_draft_and_are_sourced_reviewer() -> None:
    values = parse_assignments(["invoice_number=NW-2026-00417", "due_date=2026-03-26"])
    invoice = complete_from_review(draft_of(PARTIAL), values)
    assert (invoice.invoice_number, str(invoice.due_date)) == ("NW-2026-00417", "2026-03-26")
    assert invoice.total == Decimal("1838.55") and invoice.sources["total"] == "text"
    assert invoice.sources["invoice_number"] == "reviewer"
    assert invoice.confidence["invoice_number"] == 1.0
    assert "invoice_number" not in invoice.missing


def test_a_reviewer_may_correct_a_field_already_found() -> None:
    draft = draft_of(PARTIAL)
    invoice = complete_from_review(draft, {"invoice_number": "X-1", "total": "1800.00"})
    assert invoice.total == Decimal("1800.00") and invoice.sources["total"] == "reviewer"


def test_a_draft_still_incomplete_names_the_missing_fields() -> None:
    with pytest.raises(ReviewEditError) as caught:
        complete_from_review(draft_of(PARTIAL), {"due_date": "2026-03-26"})
    assert caught.value.missing == ["invoice_number"]


@pytest.mark.parametrize("pair", ["total", "=5", "colour=red"])
def test_malformed_or_unknown_pairs_are_refused(pair: str) -> None:
    with pytest.raises(ReviewEditError):
        parse_assignments([pair])


def test_a_value_that_does_not_parse_is_refused_with_its_field() -> None:
    with pytest.raises(ReviewEditError) as caught:
        complete_from_review(draft_of(PARTIAL), {"invoice_number": "A", "total": "abc"})
    assert "total" in str(caught.value)
