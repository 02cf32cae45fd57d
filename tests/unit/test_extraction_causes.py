"""Each failure cause seen on real invoices (issue 12), as a specification of the rules extractor.

The texts are laid out as nodes/ingestion/_layout.py lays out a PDF page: one line per visual row,
columns apart by two or more spaces.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.domain import Invoice, InvoiceDraft, SourceDocument
from nodes.ingestion.extraction import IncompleteInvoice, RulesExtractor, draft_of


def _document(text: str) -> SourceDocument:
    return SourceDocument(path="specimen.pdf", kind="pdf", text=text, sha256="0")


def extract(text: str) -> Invoice:
    return RulesExtractor().extract(_document(text))


def draft(text: str) -> InvoiceDraft:
    return draft_of(_document(text))


def test_a_missing_required_field_keeps_every_field_found() -> None:
    text = "Nordwind Bürobedarf GmbH\nRechnungsdatum: 05.03.2026\nGesamtbetrag   1.838,55 EUR\n"
    with pytest.raises(IncompleteInvoice) as caught:
        extract(text)
    kept = caught.value.draft
    assert caught.value.missing_fields == ["invoice_number"]
    assert (kept.vendor_name, kept.total, kept.invoice_date) == (
        "Nordwind Bürobedarf GmbH",
        Decimal("1838.55"),
        date(2026, 3, 5),
    )
    assert kept.sources["total"] == "text" and "invoice_number" in kept.missing


def test_dutch_labels() -> None:
    invoice = extract(
        "Bakkerij Jansen B.V.\nFactuurnummer: 2026-118\nFactuurdatum: 03-02-2026\n"
        "Vervaldatum: 05-03-2026\nSubtotaal   1.020,30\nBTW 21%   214,26\n"
        "Totaal te betalen   € 1.234,56\n"
    )
    assert (invoice.invoice_number, invoice.invoice_date) == ("2026-118", date(2026, 2, 3))
    assert (invoice.due_date, invoice.total) == (date(2026, 3, 5), Decimal("1234.56"))


def test_polish_labels_currency_and_whole_amounts() -> None:
    invoice = extract(
        "Sprzedawca:   Drukarnia Nowak sp. z o.o.\nFaktura VAT nr FV/12/2026\n"
        "Data wystawienia: 05.03.2026\nRazem do zapłaty:   1 250 zł\n"
    )
    assert invoice.vendor_name == "Drukarnia Nowak sp. z o.o."
    assert (invoice.invoice_number, invoice.currency) == ("FV/12/2026", "PLN")
    assert invoice.total == Decimal("1250")


@pytest.mark.parametrize(
    ("line", "currency", "total"),
    [
        ("Total Amount   ₹ 12,500.00", "INR", "12500.00"),
        ("Amount due   Rs. 4,999", "INR", "4999"),
        ("Amount due   1 250,00 kr", "SEK", "1250.00"),
        ("Total   SEK 980,00", "SEK", "980.00"),
        ("Total   CHF 1'250.50", "CHF", "1250.50"),
    ],
)
def test_currencies_beyond_the_big_four_are_kept(line: str, currency: str, total: str) -> None:
    invoice = extract(f"Acme Widgets Ltd.\nInvoice No: A-1\n{line}\n")
    assert (invoice.currency, invoice.total) == (currency, Decimal(total))


def test_a_value_under_its_label_is_paired_by_column() -> None:
    invoice = extract(
        "Castell Industrial Parts B.V.\n\n"
        "        Invoice number      Invoice date      Amount due\n"
        "        CIP/26/0388         25 Feb 2026       EUR 2,640.00\n"
    )
    assert invoice.invoice_number == "CIP/26/0388"
    assert (invoice.invoice_date, invoice.total) == (date(2026, 2, 25), Decimal("2640.00"))


def test_labels_mid_line_each_take_their_own_value() -> None:
    invoice = extract(
        "Helix Cloud Services Ltd.    Invoice No: HCS-61    Date: 11/03/2026    Total: £ 96.00\n"
    )
    assert (invoice.invoice_number, invoice.invoice_date) == ("HCS-61", date(2026, 3, 11))
    assert (invoice.total, invoice.currency) == (Decimal("96.00"), "GBP")


def test_a_zero_prepayments_line_is_not_the_total() -> None:
    invoice = extract(
        "Lieferant GmbH\nRechnung Nr. 471102\nBruttosumme   529,87\n"
        "Erhaltene Anzahlungen   0,00\nGesamtbetrag der Zuschläge   0,00\n"
    )
    assert invoice.total == Decimal("529.87")


def test_an_amount_due_after_a_prepayment_is_not_the_total() -> None:
    invoice = extract(
        "Acme Widgets Ltd.\nInvoice No: 77\nTotal   1,000.00\nPrepayment received   -200.00\n"
        "Amount due   800.00\n"
    )
    assert (invoice.total, invoice.amount_due) == (Decimal("1000.00"), Decimal("800.00"))


def test_minus_signs_are_kept_and_a_credit_note_is_one() -> None:
    invoice = extract(
        "GUTSCHRIFT\nMusterlieferant GmbH\nGutschrift Nr. RK-21\nNettobetrag   -7,67\n"
        "MwSt 19%   -1,12\nEndbetrag   -8,79 EUR\n"
    )
    assert (invoice.total, invoice.subtotal, invoice.tax) == (
        Decimal("-8.79"),
        Decimal("-7.67"),
        Decimal("-1.12"),
    )
    assert invoice.document_type == "credit_note"


def test_non_money_numbers_do_not_decide_the_decimal_mark() -> None:
    invoice = extract(
        "Versicherungsverein Musterstadt a.G.\nRechnungsnummer: 2014-1\n"
        "Mo.-Fr. 08.30 - 12.30 Uhr\nMo.-Fr. 14.00 - 17.00 Uhr\nTel. 030 12.34.56\n"
        "Menge 1.000 Stück\nGesamtbetrag   1.163,40 €\n"
    )
    assert invoice.total == Decimal("1163.40")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Acme Widgets Inc.\nInvoice No: 9\nInvoice date: 03/04/2026\nTotal  $ 10.00\n", (3, 4)),
        ("Lieferant GmbH\nRechnung Nr. 9\nRechnungsdatum: 03/04/2026\nSumme  10,00 €\n", (4, 3)),
        ("Acme Widgets Ltd.\nInvoice No: 9\nInvoice date: 03/04/2026\nTotal  £ 10.00\n", (4, 3)),
        (
            "Acme Inc.\nInvoice No: 9\nInvoice date: 03/04/2026\nDue: 04/20/2026\nTotal $1.00\n",
            (3, 4),
        ),
    ],
    ids=["us-dollars-month-first", "german-day-first", "british-day-first", "shown-month-first"],
)
def test_numeric_dates_follow_the_documents_locale(text: str, want: tuple[int, int]) -> None:
    month, day = want
    assert extract(text).invoice_date == date(2026, month, day)


@pytest.mark.parametrize("company", ["NORDWIND BÜROBEDARF GMBH", "ACME 2000 GmbH"])
def test_an_invoice_number_never_runs_into_the_next_line(company: str) -> None:
    kept = draft(f"Invoice number:\n{company}\nTotal   12.00 EUR\n")
    assert kept.invoice_number is None and "invoice_number" in kept.missing


def test_an_invoice_number_wrapped_onto_the_next_line_alone_is_taken() -> None:
    assert draft("Acme Ltd.\nInvoice number:\nAC-2291\nTotal  1.00 EUR\n").invoice_number == (
        "AC-2291"
    )


def test_the_bill_to_party_is_not_the_vendor() -> None:
    invoice = extract(
        "Bill to:\n  Overture Demo Buyer AG\n  Bahnhofstrasse 12\n  3001 Zurich\n\n"
        "Castell Industrial Parts B.V.\nKanaalweg 33, Utrecht\nInvoice No: CIP-1\n"
        "Total   EUR 10.00\n"
    )
    assert invoice.vendor_name == "Castell Industrial Parts B.V."
    assert invoice.buyer_name == "Overture Demo Buyer AG"


@pytest.mark.parametrize("name", ["Helix Cloud Services Ltd.", "Acme Widgets Inc.", "Foo Corp."])
def test_company_names_ending_in_an_abbreviation_are_names(name: str) -> None:
    assert extract(f"{name}\nInvoice No: 1-A\nTotal   10.00 USD\n").vendor_name == name


def test_the_total_agrees_with_net_plus_tax_over_a_column_header() -> None:
    invoice = extract(
        "Acme Widgets Ltd.\nInvoice No: 5\n"
        "Item            Qty    Price     Total\n"
        "Widget            2    50.00    100.00\n\n"
        "Subtotal   100.00\nVAT 20%   20.00\nTotal   120.00\n"
    )
    assert (invoice.total, invoice.confidence["total"]) == (Decimal("120.00"), 0.99)


def test_an_iban_is_validated_and_a_vat_id_read() -> None:
    invoice = extract(
        "Lieferant GmbH\nUSt-IdNr.: DE 123456789\nRechnung Nr. 1\nSumme 10,00 €\n"
        "IBAN: DE08 7009 0100 1234 5678 90\n"
    )
    assert (invoice.iban, invoice.seller_vat_id) == ("DE08700901001234567890", "DE123456789")


def test_an_account_holder_label_is_not_part_of_the_name() -> None:
    invoice = extract("Invoice No: 1-A\nTotal   10.00 EUR\nAccount holder: Acme Widgets Ltd\n")
    assert invoice.vendor_name == "Acme Widgets Ltd"


def test_a_label_word_that_is_part_of_a_name_stays_in_it() -> None:
    assert extract("Lieferant GmbH\nRechnung Nr. 5\nSumme   10,00 €\n").vendor_name == (
        "Lieferant GmbH"
    )


def test_a_letterhead_name_wrapped_over_two_lines_is_one_name() -> None:
    invoice = extract(
        "   MVM Musterhafter\n   Versicherungsverein Musterstadt a.G.\n\n"
        "   Herrn Max Mustermann\n   Rechnung Nr. 2014-1\n   Gesamtbetrag   59,50 €\n"
    )
    assert invoice.vendor_name == "MVM Musterhafter Versicherungsverein Musterstadt a.G."


def test_a_document_naming_no_currency_says_so_instead_of_assuming_euros() -> None:
    kept = draft("Acme Widgets Ltd.\nInvoice No: 12\nTotal   10.00\n")
    assert "currency" in kept.missing and "currency" not in kept.sources
