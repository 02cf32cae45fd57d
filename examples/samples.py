"""The purchase orders behind the samples and the sample invoices themselves, one per case
that issue 3 lists. Each invoice states the route it must end on and why.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from examples.catalog import (
    CASTELL,
    FRAUD_IBAN,
    HELIX,
    LUMIERE,
    MERIDIAN,
    NORDWIND,
    QUANTUM,
    InvoiceSpec,
    L,
    Line,
    Order,
)


def _parts_catalogue() -> tuple[Line, ...]:
    """Forty-eight small parts: enough rows to push the table over two pages."""
    kinds = (
        "Hex bolt M8x40",
        "Hex nut M8",
        "Washer 8.4 mm",
        "Spring pin 4x20",
        "O-ring 22x3",
        "Ball bearing 6204",
        "Shaft collar 20 mm",
        "Cable gland M20",
    )
    finishes = ("zinc plated", "stainless A2", "stainless A4", "black oxide", "brass", "nylon")
    lines = []
    for i, (kind, finish) in enumerate((k, f) for f in finishes for k in kinds):
        price = Decimal(35 + (i * 37) % 290) / 100
        lines.append(
            L(f"CIP-{5000 + i * 7}", f"{kind}, {finish}", str(10 * (1 + i % 5)), str(price))
        )
    return tuple(lines)


PARTS = _parts_catalogue()

ORDERS: tuple[Order, ...] = (
    Order(
        "PO-2026-0101",
        NORDWIND,
        (
            L("NW-100", "Copy paper A4 80 g, box of 5 reams", "40", "21.90"),
            L("NW-215", "Toner cartridge TN-2420", "6", "64.50"),
            L("NW-330", "Ring binder A4, 50 mm", "120", "2.35"),
        ),
    ),
    Order(
        "PO-2026-0102",
        CASTELL,
        (
            L("CIP-2204", "Ball bearing 6204-2RS", "400", "3.80"),
            L("CIP-2290", "Shaft seal 20x35x7", "400", "1.15"),
        ),
    ),
    Order(
        "PO-2026-0103",
        HELIX,
        (
            L("HCS-STD", "Cloud hosting, standard tier, February", "1", "1450.00"),
            L("HCS-BKP", "Backup storage 2 TB, February", "2", "95.00"),
        ),
    ),
    Order(
        "PO-2026-0104",
        HELIX,
        (
            L("HCS-STD", "Cloud hosting, standard tier, March", "1", "1450.00"),
            L("HCS-SUP", "Support hours", "6", "120.00"),
        ),
    ),
    Order(
        "PO-2026-0105",
        MERIDIAN,
        (
            L("MPP-BOX40", "Shipping carton 40x30x30, printed", "2500", "4.10"),
            L("MPP-TAPE", "Printed packing tape 66 m", "600", "3.25"),
        ),
    ),
    Order(
        "PO-2026-0106",
        NORDWIND,
        (
            L("NW-410", "Bürostuhl ergonomisch, schwarz", "4", "289.00"),
            L("NW-415", "Schreibtischlampe LED", "8", "46.90"),
        ),
    ),
    Order(
        "PO-2026-0107",
        LUMIERE,
        (
            L("AL-PEN-12", "Suspension en laiton, 12 ampoules", "2", "1180.00"),
            L("AL-APP-03", "Applique murale opaline", "10", "139.50"),
        ),
    ),
    Order("PO-2026-0108", CASTELL, PARTS),
    Order(
        "PO-2026-0109",
        CASTELL,
        (
            L("CIP-7710", "Linear guide rail 600 mm", "12", "74.00"),
            L("CIP-7715", "Carriage block for rail", "24", "31.50"),
        ),
    ),
    Order(
        "PO-2026-0110",
        HELIX,
        (
            L("HCS-STD", "Cloud hosting, standard tier, January", "1", "1450.00"),
            L("HCS-IPV4", "Additional IPv4 addresses", "8", "4.00"),
        ),
    ),
    Order(
        "PO-2026-0111",
        MERIDIAN,
        (L("MPP-LBL", "Thermal labels 100x150, roll of 500", "60", "18.40"),),
    ),
    Order("PO-2026-0112", LUMIERE, (L("AL-LAMP-07", "Lampe de bureau Orsay", "6", "212.00"),)),
)
ORDER = {order.number: order for order in ORDERS}


def _lines(po: str, *, price_factor: Decimal | None = None) -> tuple[Line, ...]:
    """The PO's lines as billed; `price_factor` bills every unit price that much higher."""
    lines = ORDER[po].lines
    if price_factor is None:
        return lines
    return tuple(
        Line(
            x.sku,
            x.description,
            x.quantity,
            (x.unit_price * price_factor).quantize(Decimal("0.01")),
        )
        for x in lines
    )


D = date
VAT = Decimal

INVOICES: tuple[InvoiceSpec, ...] = (
    InvoiceSpec(
        "01_clean_match",
        "pdf",
        "en",
        NORDWIND,
        "NW-2026-00417",
        D(2026, 2, 24),
        D(2026, 3, 26),
        "PO-2026-0101",
        _lines("PO-2026-0101"),
        VAT(19),
        "auto_approve",
        "vendor known, PO and receipt match, under the threshold",
        reason="",
    ),
    InvoiceSpec(
        "02_price_mismatch",
        "pdf",
        "en",
        CASTELL,
        "CIP/26/0388",
        D(2026, 2, 25),
        D(2026, 3, 27),
        "PO-2026-0102",
        _lines("PO-2026-0102", price_factor=VAT("1.08")),
        VAT(21),
        "human_review",
        "unit prices 8% above the PO, beyond the 2% tolerance",
        reason="price",
    ),
    InvoiceSpec(
        "03_unknown_vendor",
        "pdf",
        "en",
        QUANTUM,
        "QRC-1187",
        D(2026, 2, 26),
        D(2026, 3, 12),
        "PO-2026-0199",
        (L("QRC-ADV", "Advisory services, February", "12", "650.00"),),
        VAT(20),
        "reject",
        "vendor not in the vendor master and PO unknown",
        reason="vendor",
    ),
    InvoiceSpec(
        "04_duplicate_paid",
        "eml_attachment",
        "en",
        HELIX,
        "HCS-2026-0042",
        D(2026, 2, 28),
        D(2026, 3, 30),
        "PO-2026-0103",
        _lines("PO-2026-0103"),
        VAT(23),
        "reject",
        "same vendor, number and total as an invoice already paid",
        reason="duplicate",
    ),
    InvoiceSpec(
        "05_bank_change",
        "pdf",
        "en",
        HELIX,
        "HCS-2026-0057",
        D(2026, 3, 2),
        D(2026, 4, 1),
        "PO-2026-0104",
        _lines("PO-2026-0104"),
        VAT(23),
        "human_review",
        "IBAN on the invoice differs from the vendor master",
        reason="bank details differ",
        iban=FRAUD_IBAN,
        notes=("Please note our new bank details below.",),
    ),
    InvoiceSpec(
        "06_over_threshold",
        "pdf",
        "en",
        MERIDIAN,
        "MPP-F-2026-0311",
        D(2026, 3, 3),
        D(2026, 4, 2),
        "PO-2026-0105",
        _lines("PO-2026-0105"),
        VAT(21),
        "needs_approval",
        "clean match but total above the 10,000 approval threshold",
        reason="threshold",
    ),
    InvoiceSpec(
        "07_missing_po",
        "text",
        "en",
        NORDWIND,
        "NW-2026-00452",
        D(2026, 3, 4),
        D(2026, 4, 3),
        None,
        (L("NW-100", "Copy paper A4 80 g, box of 5 reams", "10", "21.90"),),
        VAT(19),
        "human_review",
        "no purchase order number on the invoice",
        reason="PO number",
    ),
    InvoiceSpec(
        "08_german_rechnung",
        "pdf",
        "de",
        NORDWIND,
        "RE-2026-0460",
        D(2026, 3, 5),
        D(2026, 4, 4),
        "PO-2026-0106",
        _lines("PO-2026-0106"),
        VAT(19),
        "auto_approve",
        "German layout, comma decimals; clean match under threshold",
        reason="",
    ),
    InvoiceSpec(
        "09_french_facture",
        "eml_attachment",
        "fr",
        LUMIERE,
        "F-2026-0093",
        D(2026, 3, 6),
        D(2026, 4, 5),
        "PO-2026-0107",
        _lines("PO-2026-0107"),
        VAT(20),
        "auto_approve",
        "French layout, comma decimals; clean match under threshold",
        reason="",
    ),
    InvoiceSpec(
        "10_multi_page",
        "pdf",
        "en",
        CASTELL,
        "CIP/26/0412",
        D(2026, 3, 9),
        D(2026, 4, 8),
        "PO-2026-0108",
        _lines("PO-2026-0108"),
        VAT(21),
        "auto_approve",
        "48 lines over two pages; clean match under threshold",
        reason="",
    ),
    InvoiceSpec(
        "11_scanned_no_text",
        "scan",
        "en",
        CASTELL,
        "CIP/26/0419",
        D(2026, 3, 10),
        D(2026, 4, 9),
        "PO-2026-0109",
        _lines("PO-2026-0109"),
        VAT(21),
        "human_review",
        "PDF has no text layer (an image of an invoice)",
        reason="no text layer",
    ),
    InvoiceSpec(
        "12_clean_email",
        "eml_attachment",
        "en",
        HELIX,
        "HCS-2026-0061",
        D(2026, 3, 11),
        D(2026, 4, 10),
        "PO-2026-0110",
        _lines("PO-2026-0110"),
        VAT(23),
        "auto_approve",
        "PDF attached to an email; clean match under threshold",
        reason="",
    ),
    InvoiceSpec(
        "13_plain_text",
        "text",
        "en",
        MERIDIAN,
        "MPP-F-2026-0322",
        D(2026, 3, 12),
        D(2026, 4, 11),
        "PO-2026-0111",
        _lines("PO-2026-0111"),
        VAT(21),
        "auto_approve",
        "plain-text invoice; clean match under threshold",
        reason="",
    ),
    InvoiceSpec(
        "14_email_body",
        "eml_body",
        "fr",
        LUMIERE,
        "F-2026-0101",
        D(2026, 3, 13),
        D(2026, 4, 12),
        "PO-2026-0112",
        _lines("PO-2026-0112"),
        VAT(20),
        "auto_approve",
        "invoice in the body of an email, no attachment",
        reason="",
    ),
    InvoiceSpec(  # the invoice of 11, scanned properly: what OCR is for
        "16_scanned_invoice",
        "scan_grey",
        "en",
        CASTELL,
        "CIP/26/0419",
        D(2026, 3, 10),
        D(2026, 4, 9),
        "PO-2026-0109",
        _lines("PO-2026-0109"),
        VAT(21),
        "auto_approve",
        "the invoice of 11 as a 200 dpi grey scan: OCR reads every field; clean match under "
        "threshold (paid on OCR'd fields: nothing routes OCR to a human yet)",
        reason="",
    ),
)

# Invoices already paid: the duplicate above repeats the first one exactly.
PAID = (
    ("V004", "HCS-2026-0042", INVOICES[3].total, D(2026, 3, 3)),
    ("V001", "NW-2026-00388", Decimal("1487.50"), D(2026, 2, 2)),
    ("V003", "CIP/26/0301", Decimal("2210.23"), D(2026, 1, 30)),
)
