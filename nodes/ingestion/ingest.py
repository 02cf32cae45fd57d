"""The ingestion agent: read a PDF, an e-invoice XML, an image, an `.eml` or a text file, then
extract an `Invoice`.

`read_document` turns every unreadable input into a `DocumentError` naming the file and the
problem; the `ingest` node turns those (and extraction failures) into `errors` in state, so
a bad file routes to human review instead of crashing the run. An extraction that misses a
required field still hands on its `InvoiceDraft` (state key `draft`) for the reviewer.
Every text that leaves a reader passes `clean_text` (no lone surrogates, no NULs).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypedDict

from langgraph.runtime import Runtime

from core.domain import DocumentKind, Invoice, InvoiceDraft, SourceDocument
from core.settings import get_settings
from nodes.approval.identity import server_user
from nodes.ingestion._einvoice import is_einvoice
from nodes.ingestion._ocr import OcrUnavailable, ocr_image_file
from nodes.ingestion._pdf import PdfContent, PdfProblem, read_pdf
from nodes.ingestion._sanitize import clean_text
from nodes.ingestion._text import decode_text
from nodes.ingestion.document_input import Upload, document_to_read, path_root
from nodes.ingestion.drafts import reviewed
from nodes.ingestion.errors import DocumentError, ExtractionError
from nodes.ingestion.extraction import Extractor, IncompleteInvoice, RulesExtractor
from nodes.ingestion.state import DocumentState

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Invoices are kilobytes; anything over 10 MB is a wrong file, and must not land in state."""

_KIND_BY_SUFFIX: dict[str, DocumentKind] = {
    ".pdf": "pdf",
    ".eml": "eml",
    ".xml": "xml",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".tif", ".tiff"), "image"),
}
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_TAG = re.compile(r"<[^>]+>")


def _raw_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DocumentError(str(path), f"cannot be opened ({error.strerror})") from error
    if size == 0:
        raise DocumentError(str(path), "empty file (0 bytes)", "ask the sender to resend it")
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            str(path),
            f"too large ({size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB)",
            "an invoice is a few pages; check that this is the right file",
        )
    return path.read_bytes()


def _pdf(path: str, data: bytes) -> PdfContent:
    try:
        return read_pdf(data)
    except PdfProblem as problem:
        raise DocumentError(path, problem.problem, problem.hint) from problem


def _text(path: str, data: bytes) -> str:
    try:
        return clean_text(decode_text(data)[0])
    except ValueError as error:
        raise DocumentError(path, str(error), "re-save it as UTF-8 text") from error


def _xml(path: str, data: bytes) -> str:
    if not is_einvoice(data):
        raise DocumentError(
            path,
            "XML that is not an EN 16931 invoice (CII or UBL 2.1)",
            "send the XRechnung / Factur-X / Peppol UBL invoice, or a PDF",
        )
    return clean_text(data.decode("utf-8", "replace"))


def _image(path: str, data: bytes) -> tuple[str, float, int]:
    try:
        text, confidence, frames = ocr_image_file(data)
    except OcrUnavailable as error:
        raise DocumentError(
            path, f"an image, and no OCR ({error})", "install tesseract-ocr (make system-deps)"
        ) from error
    except OSError as error:  # PIL: not an image it can decode
        raise DocumentError(path, f"unreadable image ({error})", "ask for a PDF") from error
    if not text.strip():
        raise DocumentError(path, "an image in which OCR found no text", "enter it by hand")
    return clean_text(text), confidence, frames


class _Found:
    """What an e-mail's body and attachments hold, gathered part by part."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pages = 0
        self.names: list[str] = []
        self.xml: str | None = None
        self.xml_name: str | None = None
        self.documents = 0
        """PDF and XML attachments seen: when there is none, a photo attached is the invoice."""
        self.images: list[tuple[str, str, bytes]] = []
        self.ocr_confidence: float | None = None

    def add_xml(self, xml: str | None, name: str | None) -> None:
        if xml is not None and self.xml is None:  # the first e-invoice is the invoice
            self.xml, self.xml_name = xml, name


_PHOTO_BYTES = 30_000
"""An image attachment this large may be a photo or scan of the invoice (logos are smaller)."""

_MAX_FORWARD_DEPTH = 3
"""Forwarded e-mails (message/rfc822 attachments) are read this many levels deep."""


def _email(path: str, data: bytes, found: _Found, depth: int = 0) -> None:
    """Body first, then each attachment: PDFs through the PDF reader (with any embedded
    e-invoice), XML e-invoices as such, text as text, a forwarded e-mail read as an e-mail."""
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        html = body.get_content_subtype() == "html"
        found.parts.append(clean_text(_TAG.sub(" ", content) if html else content))
    for attachment in message.iter_attachments():
        name = attachment.get_filename() or "attachment"
        if attachment.get_content_type() == "message/rfc822" and depth < _MAX_FORWARD_DEPTH:
            found.names.append(name)
            _email(f"{path} (forwarded)", bytes(attachment.get_content()), found, depth + 1)
            continue
        payload = attachment.get_payload(decode=True)
        if not isinstance(payload, bytes):  # None for a multipart part; typeshed's type is wider
            payload = b""
        where = f"{path} (attachment {name})"
        if attachment.get_content_type() == "application/pdf" or name.lower().endswith(".pdf"):
            found.documents += 1
            pdf = _pdf(where, payload)
            found.pages += pdf.pages
            found.add_xml(pdf.xml, f"{name}: {pdf.xml_name}" if pdf.xml_name else None)
            text = pdf.text
        elif attachment.get_content_subtype() == "xml" or name.lower().endswith(".xml"):
            if not is_einvoice(payload):
                continue  # some other XML (a delivery note, a signature): not the invoice
            found.documents += 1
            found.add_xml(_xml(where, payload), name)
            text = ""
        elif attachment.get_content_maintype() == "text":
            text = _text(where, payload)
        else:
            if attachment.get_content_maintype() == "image" and len(payload) >= _PHOTO_BYTES:
                found.images.append((name, where, payload))
            continue  # logos and signatures are not the invoice (a photo may be: see below)
        found.names.append(name)
        if text:
            found.parts.append(text)
    if depth == 0 and not found.documents and found.images:
        name, where, photo = max(found.images, key=lambda image: len(image[2]))
        try:
            text, found.ocr_confidence, _ = _image(where, photo)
        except DocumentError:
            if not "".join(found.parts).strip():
                raise  # nothing else to read: say why the photo could not be read
        else:
            found.names.append(name)
            found.parts.append(text)
    if depth == 0 and not "".join(found.parts).strip() and found.xml is None:
        raise DocumentError(
            path,
            "email has neither a body nor an attachment",
            "ask the sender to attach the invoice",
        )


def _kind(file: Path, data: bytes) -> DocumentKind:
    """The suffix names the kind, but the bytes win: a PDF or image misnamed is still one."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    return _KIND_BY_SUFFIX.get(file.suffix.lower(), "text")


def read_document(path: str | Path) -> SourceDocument:
    """Read a document from disk; raise `DocumentError` when it cannot be read."""
    return read_document_bytes(str(path), _raw_bytes(Path(path)))


def read_document_bytes(name: str, data: bytes) -> SourceDocument:
    """Read a document given as content (an upload); `name`'s suffix picks the kind unless
    the bytes say PDF or image. Size limits are the caller's (`_raw_bytes`,
    nodes/document_input)."""
    file = Path(name)
    kind = _kind(file, data)
    extra: dict[str, Any] = {}
    if kind == "pdf":
        pdf = _pdf(name, data)
        text, extra["pages"] = pdf.text, pdf.pages
        extra.update(einvoice_xml=pdf.xml, einvoice_name=pdf.xml_name)
        if pdf.ocr_confidence is not None:
            extra.update(text_source="ocr", ocr_confidence=pdf.ocr_confidence)
    elif kind == "eml":
        found = _Found()
        _email(name, data, found)
        text = "\n\n".join(found.parts)
        extra.update(pages=found.pages, attachments=found.names)
        extra.update(einvoice_xml=found.xml, einvoice_name=found.xml_name)
        if found.ocr_confidence is not None:
            extra.update(text_source="ocr", ocr_confidence=found.ocr_confidence)
    elif kind == "xml":
        text = ""
        extra.update(einvoice_xml=_xml(name, data), einvoice_name=file.name)
    elif kind == "image":
        text, confidence, extra["pages"] = _image(name, data)
        extra.update(text_source="ocr", ocr_confidence=confidence)
    else:
        text = _text(name, data)
        if not text.strip():
            raise DocumentError(name, "no text (only whitespace)", "ask the sender to resend it")
    return SourceDocument(
        path=name, kind=kind, text=text, sha256=hashlib.sha256(data).hexdigest(), **extra
    )


class IngestUpdate(TypedDict):
    document_path: str
    upload: None
    document: SourceDocument | None
    invoice: Invoice | None
    draft: InvoiceDraft | None
    """What was found when extraction missed a required field (state key `draft`)."""
    errors: list[str]


def ingest(state: DocumentState, runtime: Runtime[Any]) -> IngestUpdate | dict[str, Any]:
    """Graph node: read and extract; bad input becomes `errors`, never an exception.

    The document is an upload's bytes or a checked path (nodes/document_input); the upload is
    cleared from state either way, and a refused document leaves no text behind. A review on
    a held thread continues from the extraction it kept (nodes/drafts.reviewed).
    """
    if state.get("review") is not None:
        return reviewed(state, reviewer_of(state.get("review") or {}, runtime))
    settings = getattr(runtime.context, "settings", None) or get_settings()
    root = path_root(settings, under_server=runtime.server_info is not None)
    name = state.get("document_path") or ""
    try:
        given = document_to_read(state.get("upload"), name, root=root, max_bytes=MAX_DOCUMENT_BYTES)
        if isinstance(given, Upload):
            name = given.name
            document = read_document_bytes(given.name, given.data)
        else:  # read what was checked (resolved), shown as the user named it
            document = read_document(given).model_copy(update={"path": name})
    except DocumentError as error:
        return _update(name, None, None, [str(error)])
    extractor: Extractor = getattr(runtime.context, "extractor", None) or RulesExtractor()
    try:
        invoice = extractor.extract(document)
    except IncompleteInvoice as error:
        return _update(name, document, None, [str(error)], draft=error.draft)
    except ExtractionError as error:
        # An LLM fallback carries the rules extraction (or its draft); a reviewer may use it.
        kept, draft = getattr(error, "invoice", None), getattr(error, "draft", None)
        return _update(name, document, kept, [str(error)], draft=draft)
    return _update(name, document, invoice, [])


def reviewer_of(review: Mapping[str, Any], runtime: Runtime[Any]) -> str | None:
    """Who reviews: under the server the authenticated caller, whatever the client wrote;
    in process the reviewer the CLI authenticated (its API key)."""
    if runtime.server_info is not None and runtime.server_info.user is not None:
        return server_user(runtime)
    named = review.get("reviewer")
    return named if isinstance(named, str) and named else None


def _update(
    name: str,
    document: SourceDocument | None,
    invoice: Invoice | None,
    errors: list[str],
    *,
    draft: InvoiceDraft | None = None,
) -> IngestUpdate:
    return {
        "document_path": name,
        "upload": None,  # the bytes never stay in state
        "document": document,
        "invoice": invoice,
        "draft": draft,
        "errors": errors,
    }
