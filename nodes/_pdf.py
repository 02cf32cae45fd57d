"""PDF bytes -> text, with every way a PDF goes wrong turned into one plain sentence."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

# pypdf logs a warning per oddity it repairs; the error we raise says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfProblem(ValueError):
    """What is wrong with the PDF, and what the sender should do (a hint)."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def pdf_text(data: bytes) -> tuple[str, int]:
    """Return (text of all pages, page count)."""
    if not data.lstrip()[:1024].startswith(b"%PDF-"):
        raise PdfProblem("not a PDF (no %PDF- header)", "check the file; it may be misnamed")
    if b"%%EOF" not in data[-1024:]:
        # pypdf would rebuild the xref and return whatever pages survive: a silent half-invoice.
        raise PdfProblem("truncated PDF (no %%EOF end marker)", "ask the sender to resend it")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfProblem("encrypted PDF (password-protected)", "ask for an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as error:
        raise PdfProblem(
            "encrypted PDF (password-protected)", "ask for an unprotected copy"
        ) from error
    except PdfProblem:
        raise
    except Exception as error:  # pypdf raises many types (PdfReadError, ValueError, ...)
        raise PdfProblem(f"damaged PDF ({error})", "ask the sender to resend it") from error
    text = "\n".join(pages)
    if not text.strip():
        raise PdfProblem("no text layer (scanned image?)", "it needs OCR or manual entry")
    return text, len(pages)
