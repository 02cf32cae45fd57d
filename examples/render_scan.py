"""Render an `InvoiceSpec` as a PDF holding only a picture of the invoice: no text layer.

That is what a scanner or a phone camera produces; ingestion must say so rather than
return an empty invoice. A 1-bit image at fax resolution keeps the file a few KB.
"""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

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
    buffer = io.BytesIO()
    render_scan_image(spec).save(buffer, format="PNG", optimize=True)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(CREATED)
    pdf.set_producer("Overture sample generator (scan)")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())
