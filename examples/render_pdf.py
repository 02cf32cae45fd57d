"""Render an `InvoiceSpec` as a PDF with a real text layer (fpdf2, core Helvetica font).

Reproducible bytes: fixed creation date, fixed producer, and fpdf2's /ID is a hash of the
content, so regenerating yields identical files and no noise in git.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF

from examples.catalog import BUYER, InvoiceSpec
from examples.iban import format_iban
from examples.labels import LABELS, Labels, header_fields, money, quantity

CREATED = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
WIDTHS = (26, 84, 16, 28, 28)  # SKU, description, qty, unit price, amount (mm; 182 total)
ROWS_PER_PAGE = 30


class _InvoicePDF(FPDF):
    """A4 invoice with a page footer; `footer` is fpdf2's hook, called on every page."""

    def __init__(self, spec: InvoiceSpec, labels: Labels) -> None:
        super().__init__(format="A4")
        self.spec, self.labels = spec, labels
        self.set_creation_date(CREATED)
        self.set_producer("Overture sample generator")
        self.set_title(f"{labels.title} {spec.number}")
        self.set_author(spec.vendor.name)
        self.alias_nb_pages("{nb}")
        self.set_auto_page_break(auto=False)
        self.set_margins(14, 14, 14)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=7)
        page = self.labels.page.format(n=self.page_no(), total="{nb}")
        self.cell(0, 4, f"{self.spec.vendor.name} - {self.spec.number} - {page}", align="C")


def _header(pdf: _InvoicePDF) -> None:
    spec, lab = pdf.spec, pdf.labels
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, spec.vendor.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in (*spec.vendor.address, f"{lab.vat_id}: {spec.vendor.vat_id}"):
        pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, lab.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, value in header_fields(spec, lab):
        pdf.cell(36, 5, f"{label}:")
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, f"{lab.bill_to}:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in BUYER:
        pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)


def _table_head(pdf: _InvoicePDF) -> None:
    pdf.set_font("Helvetica", "B", 9)
    for width, title, align in zip(WIDTHS, pdf.labels.columns, "LLRRR", strict=True):
        pdf.cell(width, 6, title, border="B", align=align)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)


def _rows(pdf: _InvoicePDF) -> None:
    lab = pdf.labels
    _table_head(pdf)
    for index, line in enumerate(pdf.spec.lines):
        if index and index % ROWS_PER_PAGE == 0:
            pdf.set_font("Helvetica", "I", 8)
            pdf.cell(0, 6, lab.continued, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.add_page()
            _table_head(pdf)
        cells = (
            line.sku,
            line.description,
            quantity(line.quantity, lab),
            money(line.unit_price, lab),
            money(line.amount, lab),
        )
        for width, text, align in zip(WIDTHS, cells, "LLRRR", strict=True):
            pdf.cell(width, 5.5, text, align=align)
        pdf.ln()


def _totals(pdf: _InvoicePDF) -> None:
    spec, lab = pdf.spec, pdf.labels
    pdf.ln(2)
    rows = (
        (lab.subtotal, spec.subtotal),
        (lab.vat.format(rate=spec.vat_rate), spec.tax),
        (lab.total, spec.total),
    )
    for i, (label, value) in enumerate(rows):
        pdf.set_font("Helvetica", "B" if i == 2 else "", 10 if i == 2 else 9)
        pdf.cell(sum(WIDTHS[:3]), 6, "")
        pdf.cell(WIDTHS[3], 6, label, align="R")
        pdf.cell(
            WIDTHS[4],
            6,
            f"{money(value, lab)} {spec.currency}",
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(6)
    pdf.set_font("Helvetica", size=9)
    for note in spec.notes:
        pdf.cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, f"{lab.bank}:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for text in (
        f"{lab.holder}: {spec.vendor.name}",
        f"IBAN: {format_iban(spec.printed_iban)}",
        f"BIC: {spec.vendor.bic}",
    ):
        pdf.cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")


def render_pdf(spec: InvoiceSpec) -> bytes:
    """The invoice as PDF bytes; a long line table continues on further pages."""
    pdf = _InvoicePDF(spec, LABELS[spec.language])
    pdf.add_page()
    _header(pdf)
    _rows(pdf)
    _totals(pdf)
    return bytes(pdf.output())
