"""PDF text keeps the page's layout: rows and columns, whatever order the PDF draws them in."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from nodes.ingestion.extraction import RulesExtractor
from nodes.ingestion.ingest import read_document


def _pdf_drawing_values_before_labels(path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    rows = [
        ("Musterbau GmbH", ""),
        ("Rechnungsnummer", "RB-2026-17"),
        ("Gesamtbetrag", "1.163,40 EUR"),
    ]
    for y, (_, value) in enumerate(rows):  # the values first, on the right...
        pdf.text(140, 30 + 10 * y, value)
    for y, (label, _) in enumerate(rows):  # ...then the labels, on the left
        pdf.text(20, 30 + 10 * y, label)
    pdf.output(str(path))


def test_a_label_drawn_after_its_value_still_reads_label_then_value(tmp_path: Path) -> None:
    path = tmp_path / "reversed.pdf"
    _pdf_drawing_values_before_labels(path)
    document = read_document(path)
    row = next(line for line in document.text.splitlines() if "Gesamtbetrag" in line)
    assert row.index("Gesamtbetrag") < row.index("1.163,40")
    invoice = RulesExtractor().extract(document)
    assert (invoice.invoice_number, invoice.total) == ("RB-2026-17", Decimal("1163.40"))


def test_an_image_file_is_read_by_tesseract(tmp_path: Path) -> None:
    """Real Tesseract on a small PNG (three lines): no mock."""
    image = Image.new("L", (900, 220), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    for row, text in enumerate(["Acme Widgets Ltd.", "Invoice No: AW-2291", "Total: 250.00 GBP"]):
        draw.text((30, 20 + 65 * row), text, fill=0, font=font)
    path = tmp_path / "photo.png"
    image.save(path)
    document = read_document(path)
    invoice = RulesExtractor().extract(document)
    assert document.kind == "image" and document.text_source == "ocr"
    assert (invoice.invoice_number, invoice.total, invoice.currency) == (
        "AW-2291",
        Decimal("250.00"),
        "GBP",
    )
    assert invoice.sources["total"] == "ocr" and invoice.confidence["total"] < 1


def test_a_photo_attached_to_an_email_without_a_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    import random
    from email.message import EmailMessage
    from io import BytesIO

    photo = Image.new("L", (1400, 500), 245)
    draw = ImageDraw.Draw(photo)
    font = ImageFont.load_default(size=48)
    lines = ["Helix Cloud Services Ltd", "Invoice No: HCS-88", "Total  96.00 GBP"]
    for row, text in enumerate(lines):
        draw.text((40, 40 + 90 * row), text, fill=10, font=font)
    grain = random.Random(7)
    for _ in range(40_000):  # camera noise, and a photo's size
        photo.putpixel((grain.randrange(1400), grain.randrange(500)), grain.randrange(200, 256))
    buffer = BytesIO()
    photo.save(buffer, format="JPEG", quality=92)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.example", "c@d.example", "Invoice"
    message.set_content("Hi, a photo of the invoice is attached.\n")
    message.add_attachment(buffer.getvalue(), maintype="image", subtype="jpeg", filename="inv.jpg")
    path = tmp_path / "photo.eml"
    path.write_bytes(message.as_bytes())
    document = read_document(path)
    invoice = RulesExtractor().extract(document)
    assert document.text_source == "ocr" and document.attachments == ["inv.jpg"]
    assert (invoice.invoice_number, invoice.total) == ("HCS-88", Decimal("96.00"))
