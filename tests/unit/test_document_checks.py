"""An invoice against its own document: arithmetic, credit notes, accounts it names."""

from __future__ import annotations

from decimal import Decimal

from core.domain import SourceDocument
from graphs.accounts_payable.document_checks import (
    check_arithmetic,
    check_credit_note,
    check_document_ibans,
    ibans_in,
)
from tests.ap_helpers import NORDWIND_IBAN, clean_invoice

FOREIGN = "GB33BUKB20201555555555"


def document(text: str) -> SourceDocument:
    return SourceDocument(path="x.txt", kind="text", text=text, sha256="0" * 64)


def test_lines_plus_tax_equal_to_the_total_is_no_finding() -> None:
    assert check_arithmetic(clean_invoice()) == []


def test_a_total_above_lines_plus_tax_names_the_difference() -> None:
    (finding,) = check_arithmetic(clean_invoice(total=Decimal("9990.00")))
    assert finding.code == "total_mismatch" and "+8151.45" in finding.message


def test_cents_of_rounding_per_line_are_tolerated() -> None:
    assert check_arithmetic(clean_invoice(total=Decimal("1838.57"))) == []


def test_a_negative_total_is_a_credit_note() -> None:
    (finding,) = check_credit_note(clean_invoice(total=Decimal("-1838.55")), None)
    assert finding.code == "credit_note"


def test_credit_note_wording_in_the_title_is_a_credit_note() -> None:
    text = "Nordwind GmbH\nGUTSCHRIFT Nr. 17\nBetrag 1.838,55 EUR"
    assert check_credit_note(clean_invoice(), document(text))[0].code == "credit_note"


def test_cancellation_fees_and_payment_terms_are_not_credit_notes() -> None:
    text = "Nordwind GmbH\nRECHNUNG\nStornogebühren 20,00\n" + "\n" * 3 + "Zeile\n" * 20
    text += "Eine Gutschrift erfolgt auf Ihr Konto.\n"
    assert check_credit_note(clean_invoice(), document(text)) == []


def test_ibans_are_found_with_spaces_and_checked_by_checksum() -> None:
    text = "IBAN: GB33 BUKB 2020 1555 5555 55\nnot one: GB34 BUKB 2020 1555 5555 55"
    assert ibans_in(text) == [FOREIGN]


def test_an_account_other_than_the_master_is_a_finding() -> None:
    text = f"Pay to {NORDWIND_IBAN}\nor better to {FOREIGN}"
    (finding,) = check_document_ibans(document(text), NORDWIND_IBAN)
    assert finding.code == "bank_details_differ" and "GB33…5555" in finding.message


def test_the_customers_own_account_on_a_direct_debit_invoice_is_no_finding() -> None:
    text = f"Pay to {NORDWIND_IBAN}\nDirect debit from your account {FOREIGN} (mandate M-1)"
    assert check_document_ibans(document(text), NORDWIND_IBAN) == []
