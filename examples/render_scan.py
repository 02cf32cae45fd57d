"""Render an `InvoiceSpec` as a PDF holding only a picture of the invoice: no text layer.

That is what a scanner or a phone camera produces; ingestion reads it by OCR. Two qualities:
`render_scan`, a 1-bit image at fax resolution (a few KB, and too coarse for OCR to read every
digit: the run goes to review), and `render_grey_scan`, the invoice PDF rasterised like a
flatbed scan at 200 dpi in grey, slightly rotated and noisy, which OCR reads.
"""

from __future__ import annotations

import io
import random

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from examples.catalog import InvoiceSpec
from examples.render_pdf import CREATED
from examples.render_text import render_text

_SIZE = (744, 1052)  # A4 at 90 dpi


def render_scan_image(spec: InvoiceSpec) -> Image.Image:
    """The text rendering drawn in black on white, 1 bit per pixel."""
    image = Image.new("1", _SIZE, 1)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=9)
    for row, text in enumerate(render_text(spec).splitlines()):
        draw.text((40, 40 + row * 13), text, fill=0, font=font)
    return image


def render_scan(spec: InvoiceSpec) -> bytes:
    """PDF bytes with the image as the page's only content."""
    return _image_pdf(render_scan_image(spec), "PNG")


def render_grey_scan(spec: InvoiceSpec) -> bytes:
    """The invoice PDF (examples/render_pdf.py) as a 200 dpi grey flatbed scan, one page."""
    import pypdfium2

    from examples.render_pdf import render_pdf

    document = pypdfium2.PdfDocument(render_pdf(spec))
    page = document[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    noise = random.Random(spec.slug)
    page = page.rotate(0.4, resample=Image.Resampling.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    speckles = page.load()
    assert speckles is not None
    for _ in range(3000):  # dust
        speckles[noise.randrange(page.width), noise.randrange(page.height)] = noise.randrange(90)
    return _image_pdf(page, "JPEG")


def _image_pdf(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=70)
    else:
        image.save(buffer, format="PNG", optimize=True)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(CREATED)
    pdf.set_producer("Overture sample generator (scan)")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())
