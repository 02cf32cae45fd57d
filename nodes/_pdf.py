"""PDF bytes -> layout-kept text, any embedded e-invoice XML, and OCR for pages without a text
layer; every way a PDF goes wrong turned into one plain sentence."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import pdfplumber
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from nodes._einvoice import is_einvoice
from nodes._layout import Word, layout_lines
from nodes._ocr import OcrUnavailable, ocr_pdf
from nodes._sanitize import clean_text

# pypdf and pdfminer log a warning per oddity they repair; the error we raise says what matters.
for _name in ("pypdf", "pdfminer", "factur-x"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class PdfProblem(ValueError):
    """What is wrong with the PDF, and what the sender should do (a hint)."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


@dataclass(frozen=True)
class PdfContent:
    """What a PDF holds for ingestion."""

    text: str
    pages: int
    xml: str | None = None
    """Embedded Factur-X / ZUGFeRD / XRechnung XML, when the PDF carries one."""
    xml_name: str | None = None
    ocr_confidence: float | None = None
    """Set when `text` came from OCR (the PDF had no text layer)."""


def _checked_reader(data: bytes) -> PdfReader:
    if not data.lstrip()[:1024].startswith(b"%PDF-"):
        raise PdfProblem("not a PDF (no %PDF- header)", "check the file; it may be misnamed")
    if b"%%EOF" not in data[-1024:]:
        # pypdf would rebuild the xref and return whatever pages survive: a silent half-invoice.
        raise PdfProblem("truncated PDF (no %%EOF end marker)", "ask the sender to resend it")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfProblem("encrypted PDF (password-protected)", "ask for an unprotected copy")
        len(reader.pages)
    except FileNotDecryptedError as error:
        raise PdfProblem(
            "encrypted PDF (password-protected)", "ask for an unprotected copy"
        ) from error
    except PdfProblem:
        raise
    except Exception as error:  # pypdf raises many types (PdfReadError, ValueError, ...)
        raise PdfProblem(f"damaged PDF ({error})", "ask the sender to resend it") from error
    return reader


def _layout_text(data: bytes) -> str:
    """Text of every page, rows and columns kept (nodes/_layout.py)."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = [
                Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"])
                for w in page.extract_words(x_tolerance=1.5, y_tolerance=3)
                if w.get("upright", True)  # rotated margin text (a producer's mark) is noise
            ]
            pages.append("\n".join(layout_lines(words)))
    return "\n\f\n".join(pages)


def embedded_xml(data: bytes) -> tuple[str | None, str | None]:
    """(file name, XML text) of an embedded EN 16931 invoice, or (None, None)."""
    from facturx import get_xml_from_pdf  # imports its XSDs and schematrons: only when needed

    try:
        name, xml = get_xml_from_pdf(data, check_xsd=False)
    except Exception:  # noqa: BLE001 - factur-x raises bare Exceptions for "no XML here"
        return None, None
    if not xml or not is_einvoice(xml):
        return None, None
    return name, clean_text(xml.decode("utf-8", "replace"))


def read_pdf(data: bytes) -> PdfContent:
    """Everything ingestion needs from a PDF; `PdfProblem` when it cannot be read at all."""
    reader = _checked_reader(data)
    try:
        text = clean_text(_layout_text(data))
    except Exception:  # noqa: BLE001 - pdfminer chokes on PDFs pypdf reads: fall back to it
        text = clean_text("\n".join(page.extract_text() or "" for page in reader.pages))
    name, xml = embedded_xml(data)
    if text.strip():
        return PdfContent(text, len(reader.pages), xml, name)
    try:
        text, confidence = ocr_pdf(data)
    except OcrUnavailable as error:
        raise PdfProblem(
            f"no text layer (scanned image?) and no OCR ({error})",
            "install tesseract-ocr (make system-deps), or enter the invoice by hand",
        ) from error
    if not text.strip():
        raise PdfProblem("no text layer, and OCR found no text", "enter the invoice by hand")
    return PdfContent(clean_text(text), len(reader.pages), xml, name, confidence)
