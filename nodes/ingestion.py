"""The ingestion agent: read a PDF, an `.eml` or a text file, then extract an `Invoice`.

`read_document` turns every unreadable input into a `DocumentError` naming the file and the
problem; the `ingest` node turns those (and extraction failures) into `errors` in state, so
a bad file routes to human review instead of crashing the run.
"""

from __future__ import annotations

import hashlib
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypedDict

from langgraph.runtime import Runtime

from nodes._pdf import PdfProblem, pdf_text
from nodes._text import decode_text
from nodes.document_input import Upload, document_to_read, path_root
from nodes.extraction import Extractor, RulesExtractor
from nodes.state import State
from overture.domain import DocumentKind, Invoice, SourceDocument
from overture.errors import DocumentError, ExtractionError
from overture.settings import get_settings

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Invoices are kilobytes; anything over 10 MB is a wrong file, and must not land in state."""

_KIND_BY_SUFFIX: dict[str, DocumentKind] = {".pdf": "pdf", ".eml": "eml"}
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


def _pdf(path: str, data: bytes) -> tuple[str, int]:
    try:
        return pdf_text(data)
    except PdfProblem as problem:
        raise DocumentError(path, problem.problem, problem.hint) from problem


def _text(path: str, data: bytes) -> str:
    try:
        return decode_text(data)[0]
    except ValueError as error:
        raise DocumentError(path, str(error), "re-save it as UTF-8 text") from error


_MAX_FORWARD_DEPTH = 3
"""Forwarded e-mails (message/rfc822 attachments) are read this many levels deep."""


def _email(path: str, data: bytes, depth: int = 0) -> tuple[str, int, list[str]]:
    """Body first, then each attachment's text; PDF attachments through the PDF reader, a
    forwarded e-mail attached whole read as an e-mail."""
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    parts, pages, names = [], 0, []
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        parts.append(_TAG.sub(" ", content) if body.get_content_subtype() == "html" else content)
    for attachment in message.iter_attachments():
        name = attachment.get_filename() or "attachment"
        if attachment.get_content_type() == "message/rfc822" and depth < _MAX_FORWARD_DEPTH:
            forwarded = attachment.get_content()
            text, count, inner = _email(f"{path} (forwarded)", bytes(forwarded), depth + 1)
            parts.append(text)
            pages += count
            names += [name, *inner]
            continue
        payload = attachment.get_payload(decode=True)
        if not isinstance(payload, bytes):  # None for a multipart part; typeshed's type is wider
            payload = b""
        where = f"{path} (attachment {name})"
        if attachment.get_content_type() == "application/pdf" or name.lower().endswith(".pdf"):
            text, count = _pdf(where, payload)
            pages += count
        elif attachment.get_content_maintype() == "text":
            text = _text(where, payload)
        else:
            continue  # logos, signatures: not the invoice
        names.append(name)
        parts.append(text)
    if not "".join(parts).strip():
        raise DocumentError(
            path,
            "email has neither a body nor an attachment",
            "ask the sender to attach the invoice",
        )
    return "\n\n".join(parts), pages, names


def read_document(path: str | Path) -> SourceDocument:
    """Read a document from disk; raise `DocumentError` when it cannot be read."""
    return read_document_bytes(str(path), _raw_bytes(Path(path)))


def read_document_bytes(name: str, data: bytes) -> SourceDocument:
    """Read a document given as content (an upload); `name`'s suffix picks the kind unless
    the bytes say PDF. Size limits are the caller's (`_raw_bytes`, nodes/document_input)."""
    file = Path(name)
    kind: DocumentKind = _KIND_BY_SUFFIX.get(file.suffix.lower(), "text")
    if data.startswith(b"%PDF-"):
        kind = "pdf"  # trust the bytes over the name
    pages = 0
    attachments: list[str] = []
    if kind == "pdf":
        text, pages = _pdf(name, data)
    elif kind == "eml":
        text, pages, attachments = _email(name, data)
    else:
        text = _text(name, data)
        if not text.strip():
            raise DocumentError(name, "no text (only whitespace)", "ask the sender to resend it")
    return SourceDocument(
        path=name,
        kind=kind,
        text=text,
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
        attachments=attachments,
    )


class IngestUpdate(TypedDict):
    document_path: str
    upload: None
    document: SourceDocument | None
    invoice: Invoice | None
    errors: list[str]


def ingest(state: State, runtime: Runtime[Any]) -> IngestUpdate:
    """Graph node: read and extract; bad input becomes `errors`, never an exception.

    The document is an upload's bytes or a checked path (nodes/document_input); the upload is
    cleared from state either way, and a refused document leaves no text behind.
    """
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
    except ExtractionError as error:
        # An LLM fallback carries the rules extraction; a reviewer may still use it.
        return _update(name, document, getattr(error, "invoice", None), [str(error)])
    return _update(name, document, invoice, [])


def _update(
    name: str, document: SourceDocument | None, invoice: Invoice | None, errors: list[str]
) -> IngestUpdate:
    return {
        "document_path": name,
        "upload": None,  # the bytes never stay in state
        "document": document,
        "invoice": invoice,
        "errors": errors,
    }
