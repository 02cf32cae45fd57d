"""Invoices in layouts unlike the sample template: five templates, five languages and locales.

    .venv/bin/python -m examples.render_layouts

Writes examples/layouts/*.pdf and their labels, examples/eval/layouts/invoices.jsonl. Each
template puts things where real invoices of its kind do: labels in a row with the values under
them (nl), seller and buyer side by side (pl), amounts left of their labels (fr credit note),
totals on a second page with month-first dates (us), lakh-grouped rupees (in). None of the
sellers is in the demo vendor master, so every route is `reject` today. Needs the DejaVu fonts
(Debian fonts-dejavu-core) for ł, ₹ and friends; the PDFs are committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).parent
OUT = HERE / "layouts"
DATASET = HERE / "eval" / "layouts" / "invoices.jsonl"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
CREATED = datetime(2026, 3, 1, tzinfo=UTC)


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(CREATED)
    pdf.set_producer("Overture layout generator")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("DejaVu", size=9)
    return pdf


def _at(
    pdf: FPDF,
    x: float,
    y: float,
    text: str,
    *,
    size: float = 9,
    bold: bool = False,
    right: float | None = None,
) -> None:
    """Text at (x, y) mm; with `right`, right-aligned so that it ends at x = right."""
    pdf.set_font("DejaVu", "B" if bold else "", size)
    if right is not None:
        x = right - pdf.get_string_width(text)
    pdf.text(x, y, text)


def dutch() -> bytes:
    """Labels in a row, values under them; seller in the footer; comma decimals."""
    pdf = _pdf()
    _at(pdf, 20, 20, "FACTUUR", size=20, bold=True)
    _at(pdf, 20, 35, "Factuur aan:", bold=True)
    for i, line in enumerate(["Overture Demo Buyer AG", "Bahnhofstrasse 12", "3001 Zürich"]):
        _at(pdf, 20, 41 + 5 * i, line)
    for x, label, value in (
        (20, "Factuurnummer", "2026-0457"),
        (65, "Factuurdatum", "14-03-2026"),
        (110, "Vervaldatum", "13-04-2026"),
        (155, "Uw referentie", "PO-77812"),
    ):
        _at(pdf, x, 70, label, bold=True)
        _at(pdf, x, 76, value)
    _at(pdf, 20, 92, "Omschrijving", bold=True)
    _at(pdf, 120, 92, "Aantal", bold=True)
    _at(pdf, 150, 92, "Prijs", bold=True)
    _at(pdf, 175, 92, "Bedrag", bold=True)
    for i, (what, qty, price, amount) in enumerate(
        [
            ("Onderhoud koelinstallatie", "4", "185,00", "740,00"),
            ("Vervangen compressor", "1", "1.230,50", "1.230,50"),
        ]
    ):
        _at(pdf, 20, 99 + 6 * i, what)
        _at(pdf, 120, 99 + 6 * i, qty)
        _at(pdf, 150, 99 + 6 * i, price)
        _at(pdf, 190, 99 + 6 * i, amount, right=190)
    for i, (label, value) in enumerate(
        [("Subtotaal", "1.970,50"), ("BTW 21%", "413,81"), ("Totaal te betalen", "€ 2.384,31")]
    ):
        _at(pdf, 120, 125 + 6 * i, label, bold=i == 2)
        _at(pdf, 190, 125 + 6 * i, value, right=190, bold=i == 2)
    _at(
        pdf,
        20,
        270,
        "Koeltechniek Van Dijk B.V. · Havenstraat 8 · 3011 Rotterdam · "
        "KvK 81234567 · BTW-nummer NL862347171B01",
        size=7,
    )
    _at(pdf, 20, 275, "IBAN NL91 ABNA 0417 1643 00 · Betaling binnen 30 dagen", size=7)
    return bytes(pdf.output())


def polish() -> bytes:
    """Seller and buyer side by side; ISO dates; zł with space grouping."""
    pdf = _pdf()
    _at(pdf, 20, 20, "Faktura VAT nr FV/2026/03/118", size=14, bold=True)
    _at(pdf, 130, 20, "Data wystawienia: 2026-03-14")
    _at(pdf, 130, 25, "Termin płatności: 2026-03-28")
    _at(pdf, 20, 40, "Sprzedawca:", bold=True)
    _at(pdf, 110, 40, "Nabywca:", bold=True)
    seller = ["Drukarnia Nowak sp. z o.o.", "ul. Długa 15", "00-238 Warszawa", "NIP: 5252248481"]
    buyer = ["Overture Demo Buyer AG", "Bahnhofstrasse 12", "3001 Zürich", ""]
    for i, (left, right) in enumerate(zip(seller, buyer, strict=True)):
        _at(pdf, 20, 46 + 5 * i, left)
        _at(pdf, 110, 46 + 5 * i, right)
    _at(pdf, 20, 75, "Lp.  Nazwa", bold=True)
    _at(pdf, 110, 75, "Ilość", bold=True)
    _at(pdf, 130, 75, "Cena netto", bold=True)
    _at(pdf, 190, 75, "Wartość netto", bold=True, right=190)
    _at(pdf, 20, 82, "1    Ulotki A5, druk dwustronny")
    _at(pdf, 110, 82, "5000")
    _at(pdf, 130, 82, "0,25")
    _at(pdf, 190, 82, "1 250,00", right=190)
    for i, (label, value) in enumerate(
        [
            ("Razem netto:", "1 250,00 zł"),
            ("VAT 23%:", "287,50 zł"),
            ("Razem brutto:", "1 537,50 zł"),
        ]
    ):
        _at(pdf, 120, 100 + 6 * i, label)
        _at(pdf, 190, 100 + 6 * i, value, right=190)
    _at(pdf, 20, 130, "Do zapłaty: 1 537,50 zł", size=11, bold=True)
    _at(pdf, 20, 136, "Słownie: jeden tysiąc pięćset trzydzieści siedem złotych 50/100")
    _at(pdf, 20, 146, "Konto: PL61 1090 1014 0000 0712 1981 2874")
    return bytes(pdf.output())


def french_credit_note() -> bytes:
    """A credit note whose totals box prints each amount left of its label; minus signs."""
    pdf = _pdf()
    _at(pdf, 20, 20, "Atelier Lumière SARL", size=13, bold=True)
    _at(pdf, 20, 26, "12 rue des Tanneurs, 69002 Lyon")
    _at(pdf, 20, 31, "N° TVA : FR40303265045")
    _at(pdf, 130, 20, "AVOIR", size=18, bold=True)
    _at(pdf, 130, 28, "Avoir n° AV-2026-007")
    _at(pdf, 130, 33, "Date : 12/03/2026")
    _at(pdf, 130, 38, "Réf. facture F-2026-0098")
    _at(pdf, 20, 50, "Client :", bold=True)
    _at(pdf, 20, 55, "Overture Demo Buyer AG, Bahnhofstrasse 12, 3001 Zurich")
    _at(pdf, 20, 70, "Retour de 3 lampes défectueuses (modèle L-40)")
    _at(pdf, 190, 70, "-450,00 €", right=190)
    for i, (value, label) in enumerate(
        [("-450,00 €", "Total HT"), ("-90,00 €", "TVA 20 %"), ("-540,00 €", "Total TTC")]
    ):
        _at(pdf, 100, 90 + 6 * i, value, right=125, bold=i == 2)
        _at(pdf, 130, 90 + 6 * i, label, bold=i == 2)
    _at(pdf, 20, 120, "Montant remboursé par virement sous 15 jours.")
    return bytes(pdf.output())


def american() -> bytes:
    """Two pages, totals on the second; month-first dates; dollars; Inc."""
    pdf = _pdf()
    _at(pdf, 20, 20, "Bluebird Office Supply Inc.", size=14, bold=True)
    _at(pdf, 20, 26, "410 Market Street, Suite 200, San Francisco, CA 94105")
    _at(pdf, 150, 20, "INVOICE", size=18, bold=True)
    _at(pdf, 150, 28, "Invoice #: 10482")
    _at(pdf, 150, 33, "Date: 03/04/2026")
    _at(pdf, 150, 38, "Terms: Net 30")
    _at(pdf, 20, 45, "BILL TO", bold=True)
    _at(pdf, 90, 45, "SHIP TO", bold=True)
    for i, (left, right) in enumerate(
        [
            ("Overture Demo Buyer AG", "Overture Demo Buyer AG"),
            ("Bahnhofstrasse 12", "Warehouse 3, Industriestrasse 9"),
            ("3001 Zurich, Switzerland", "8304 Wallisellen, Switzerland"),
        ]
    ):
        _at(pdf, 20, 51 + 5 * i, left)
        _at(pdf, 90, 51 + 5 * i, right)
    _at(pdf, 20, 75, "QTY", bold=True)
    _at(pdf, 40, 75, "DESCRIPTION", bold=True)
    _at(pdf, 150, 75, "UNIT PRICE", bold=True)
    _at(pdf, 190, 75, "AMOUNT", bold=True, right=190)
    for i in range(30):
        _at(pdf, 20, 82 + 6 * i, "2")
        _at(pdf, 40, 82 + 6 * i, f"Archive box, item {i + 1}")
        _at(pdf, 150, 82 + 6 * i, "12.50")
        _at(pdf, 190, 82 + 6 * i, "25.00", right=190)
    _at(pdf, 170, 285, "Page 1 of 2", size=7)
    pdf.add_page()
    for i, (label, value) in enumerate(
        [
            ("Subtotal", "$750.00"),
            ("Sales Tax (8.625%)", "$64.69"),
            ("Shipping", "$35.00"),
            ("Total", "$849.69"),
            ("Paid", "-$100.00"),
            ("Balance Due", "$749.69"),
        ]
    ):
        _at(pdf, 120, 30 + 6 * i, label, bold=label == "Balance Due")
        _at(pdf, 190, 30 + 6 * i, value, right=190, bold=label == "Balance Due")
    _at(pdf, 20, 80, "Please make checks payable to Bluebird Office Supply Inc.")
    _at(pdf, 170, 285, "Page 2 of 2", size=7)
    return bytes(pdf.output())


def indian() -> bytes:
    """A GST tax invoice in rupees with lakh grouping (1,25,000.00)."""
    pdf = _pdf()
    _at(pdf, 80, 15, "TAX INVOICE", size=14, bold=True)
    _at(pdf, 20, 25, "Sahyadri Software Services Pvt. Ltd.", size=11, bold=True)
    _at(pdf, 20, 31, "Plot 21, Hinjewadi Phase II, Pune 411057, Maharashtra")
    _at(pdf, 20, 36, "GSTIN: 27AAPFU0939F1ZV")
    _at(pdf, 130, 25, "Invoice No.: SSS/24-25/0193")
    _at(pdf, 130, 30, "Invoice Date: 15-03-2026")
    _at(pdf, 130, 35, "Due Date: 14-04-2026")
    _at(pdf, 20, 48, "Billed To:", bold=True)
    _at(pdf, 20, 53, "Overture Demo Buyer AG, Bahnhofstrasse 12, 3001 Zurich")
    _at(pdf, 20, 65, "Description", bold=True)
    _at(pdf, 190, 65, "Amount (₹)", bold=True, right=190)
    _at(pdf, 20, 71, "Software maintenance, Q1 2026")
    _at(pdf, 190, 71, "1,25,000.00", right=190)
    for i, (label, value) in enumerate(
        [
            ("Taxable Value", "₹ 1,25,000.00"),
            ("IGST @ 18%", "₹ 22,500.00"),
            ("Total Invoice Value", "₹ 1,47,500.00"),
        ]
    ):
        _at(pdf, 110, 85 + 6 * i, label, bold=i == 2)
        _at(pdf, 190, 85 + 6 * i, value, right=190, bold=i == 2)
    _at(pdf, 20, 110, "Amount in words: Rupees One Lakh Forty-Seven Thousand Five Hundred Only")
    return bytes(pdf.output())


LAYOUTS: dict[str, tuple[Callable[[], bytes], dict[str, str | None]]] = {
    "nl_two_rows": (
        dutch,
        {
            "vendor_name": "Koeltechniek Van Dijk B.V.",
            "invoice_number": "2026-0457",
            "invoice_date": "2026-03-14",
            "due_date": "2026-04-13",
            "currency": "EUR",
            "po_number": "PO-77812",
            "subtotal": "1970.50",
            "tax": "413.81",
            "total": "2384.31",
            "iban": "NL91ABNA0417164300",
        },
    ),
    "pl_side_by_side": (
        polish,
        {
            "vendor_name": "Drukarnia Nowak sp. z o.o.",
            "invoice_number": "FV/2026/03/118",
            "invoice_date": "2026-03-14",
            "due_date": "2026-03-28",
            "currency": "PLN",
            "subtotal": "1250.00",
            "tax": "287.50",
            "total": "1537.50",
        },
    ),
    "fr_credit_note": (
        french_credit_note,
        {
            "vendor_name": "Atelier Lumière SARL",
            "invoice_number": "AV-2026-007",
            "invoice_date": "2026-03-12",
            "currency": "EUR",
            "subtotal": "-450.00",
            "tax": "-90.00",
            "total": "-540.00",
        },
    ),
    "us_two_pages": (
        american,
        {
            "vendor_name": "Bluebird Office Supply Inc.",
            "invoice_number": "10482",
            "invoice_date": "2026-03-04",
            "currency": "USD",
            "subtotal": "750.00",
            "total": "849.69",
        },
    ),
    "in_gst": (
        indian,
        {
            "vendor_name": "Sahyadri Software Services Pvt. Ltd.",
            "invoice_number": "SSS/24-25/0193",
            "invoice_date": "2026-03-15",
            "due_date": "2026-04-14",
            "currency": "INR",
            "subtotal": "125000.00",
            "tax": "22500.00",
            "total": "147500.00",
        },
    ),
}
"""Template -> (renderer, the fields a reader must find)."""


def main() -> None:
    """Write the PDFs and the dataset."""
    OUT.mkdir(exist_ok=True)
    DATASET.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (render, fields) in LAYOUTS.items():
        (OUT / f"{name}.pdf").write_bytes(render())
        rows.append(
            {
                "id": f"layout_{name}",
                "document": f"examples/layouts/{name}.pdf",
                "route": "reject",
                "fields": fields,
            }
        )
    DATASET.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"{len(rows)} layouts in {OUT}, labels in {DATASET}")


if __name__ == "__main__":
    main()
