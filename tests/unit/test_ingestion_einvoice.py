"""E-invoices read exactly: Factur-X/ZUGFeRD PDFs, XRechnung CII and UBL files, e-mail attachments.

Specimens: tests/fixtures/einvoices (ZUGFeRD community corpus, Apache-2.0; see its README).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from langgraph.runtime import Runtime

from core.domain import SCALAR_FIELDS, SourceDocument
from nodes.ingestion._sanitize import clean_text
from nodes.ingestion.errors import DocumentError
from nodes.ingestion.extraction import RulesExtractor, draft_of
from nodes.ingestion.ingest import ingest, read_document

SPECIMENS = Path(__file__).parents[1] / "fixtures" / "einvoices"
CII = SPECIMENS / "XML-Rechnung_CII_EN16931_Einfach.cii.xml"
UBL = SPECIMENS / "XML-Rechnung_UBL_EN16931_Einfach.ubl.xml"
FACTURX = SPECIMENS / "intarsys__EN16931__zugferd_2p0_EN16931_Einfach.pdf"
ZUGFERD_1 = SPECIMENS / "Intarsys__ZUGFeRD_1p0_BASIC_Einfach.pdf"
COMPARED = SCALAR_FIELDS


def _label(pdf: Path) -> dict[str, object]:
    label: dict[str, object] = json.loads(pdf.with_suffix(".json").read_text())[0]
    return label


def test_a_ubl_file_and_a_cii_file_give_the_same_invoice() -> None:
    cii, ubl = (RulesExtractor().extract(read_document(p)) for p in (CII, UBL))
    assert {f: getattr(cii, f) for f in COMPARED} == {f: getattr(ubl, f) for f in COMPARED}
    assert [line.amount for line in cii.lines] == [line.amount for line in ubl.lines]
    assert cii.total is not None and cii.lines


def test_every_field_of_an_xml_invoice_is_sourced_xml_with_full_confidence() -> None:
    invoice = RulesExtractor().extract(read_document(CII))
    assert set(invoice.sources.values()) == {"xml"}
    assert all(invoice.confidence[name] == 1.0 for name in invoice.sources)


@pytest.mark.parametrize("pdf", [FACTURX, ZUGFERD_1], ids=["factur-x", "zugferd-1.0"])
def test_the_xml_embedded_in_a_pdf_is_read_exactly(pdf: Path) -> None:
    document = read_document(pdf)
    invoice = RulesExtractor().extract(document)
    label = _label(pdf)
    assert document.einvoice_xml is not None and document.einvoice_name
    assert (invoice.vendor_name, invoice.invoice_number) == (
        label["issuer"],
        label["invoice_number"],
    )
    assert invoice.invoice_date == date.fromisoformat(str(label["date"]))
    assert invoice.total == Decimal(str(label["amount"])).quantize(invoice.total)
    assert invoice.sources["total"] == "xml"


def test_a_ubl_credit_note_is_a_credit_note() -> None:
    path = SPECIMENS / "XML-Rechnung_UBL_ubl-tc434-creditnote1.xml"
    invoice = RulesExtractor().extract(read_document(path))
    assert invoice.document_type == "credit_note" and invoice.total is not None


def test_an_email_with_an_xrechnung_attachment_is_read_from_the_xml(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ap@seller.de", "ap@buyer.de", "Rechnung"
    message.set_content("Guten Tag,\nanbei unsere Rechnung als XRechnung.\n")
    message.add_attachment(
        CII.read_bytes(), maintype="application", subtype="xml", filename=CII.name
    )
    path = tmp_path / "xrechnung.eml"
    path.write_bytes(message.as_bytes())
    document = read_document(path)
    invoice = RulesExtractor().extract(document)
    assert document.kind == "eml" and document.attachments == [CII.name]
    assert invoice == RulesExtractor().extract(read_document(CII)).model_copy(
        update={
            "sources": invoice.sources,
            "confidence": invoice.confidence,
            "missing": invoice.missing,
        }
    )
    assert invoice.sources["total"] == "xml"


def test_visible_text_contradicting_the_xml_is_a_discrepancy_and_the_xml_wins() -> None:
    xml = read_document(CII)
    exact = RulesExtractor().extract(xml)
    forged = (
        f"{exact.vendor_name}\nRechnung Nr. {exact.invoice_number}\nGesamtbetrag   9.999,00 €\n"
    )
    document = xml.model_copy(update={"text": forged, "kind": "pdf"})
    invoice = RulesExtractor().extract(document)
    assert invoice.total == exact.total
    [discrepancy] = invoice.discrepancies
    assert discrepancy.startswith("total:") and "9999.00" in discrepancy


def test_agreeing_text_and_xml_record_no_discrepancy() -> None:
    invoice = RulesExtractor().extract(read_document(FACTURX))
    assert invoice.discrepancies == []


def test_xml_that_is_not_an_invoice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "order.xml"
    path.write_text("<?xml version='1.0'?><order><id>1</id></order>")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert "not an EN 16931 invoice" in str(caught.value) and str(path) in str(caught.value)


@dataclass
class _Context:
    extractor: RulesExtractor


def test_the_ingest_node_hands_on_the_draft_of_an_incomplete_invoice(tmp_path: Path) -> None:
    path = tmp_path / "partial.txt"
    path.write_text("Nordwind Bürobedarf GmbH\nGesamtbetrag   1.838,55 EUR\n")
    update = ingest({"document_path": str(path)}, Runtime(context=_Context(RulesExtractor())))
    assert update["invoice"] is None and "invoice_number" in update["errors"][0]
    draft = update["draft"]
    assert draft is not None and draft.total == Decimal("1838.55")


def test_a_reviewer_completes_a_draft_into_an_invoice() -> None:
    document = SourceDocument(
        path="p.txt", kind="text", text="Nordwind Bürobedarf GmbH\nSumme  12,50 €\n", sha256="0"
    )
    draft = draft_of(document).with_values({"invoice_number": "NW-7", "total": "12.40"})
    invoice = draft.complete()
    assert (invoice.invoice_number, invoice.total) == ("NW-7", Decimal("12.40"))
    assert invoice.sources["total"] == "reviewer" and invoice.sources["vendor_name"] == "text"


def test_reader_text_loses_lone_surrogates_and_control_characters(tmp_path: Path) -> None:
    assert clean_text("Facture \ud83d n°\x00 1\x07") == "Facture  n° 1"
    assert clean_text("joined \ud83d\ude00 pair") == "joined 😀 pair"
    path = tmp_path / "escape.txt"
    path.write_bytes("Lieferant GmbH\x1b[0m\nSumme 1,00 €\n".encode())
    assert "\x1b" not in read_document(path).text


def test_an_email_with_a_factur_x_pdf_attachment_carries_its_xml(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ap@seller.de", "ap@buyer.de", "Invoice"
    message.set_content("Please find our invoice attached.\n")
    message.add_attachment(
        FACTURX.read_bytes(), maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    path = tmp_path / "facturx.eml"
    path.write_bytes(message.as_bytes())
    document = read_document(path)
    invoice = RulesExtractor().extract(document)
    assert document.einvoice_name is not None and document.einvoice_name.startswith("invoice.pdf")
    assert invoice.total == Decimal("529.87") and invoice.sources["total"] == "xml"


def test_an_email_with_some_other_xml_attachment_is_read_from_its_body(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.example", "c@d.example", "Invoice"
    message.set_content("Acme Widgets Ltd.\nInvoice No: AW-7\nTotal   12.00 EUR\n")
    message.add_attachment(
        b"<delivery><id>7</id></delivery>",
        maintype="application",
        subtype="xml",
        filename="delivery.xml",
    )
    path = tmp_path / "other.eml"
    path.write_bytes(message.as_bytes())
    document = read_document(path)
    assert document.einvoice_xml is None
    assert RulesExtractor().extract(document).invoice_number == "AW-7"
