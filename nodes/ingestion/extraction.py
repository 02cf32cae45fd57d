"""Extraction: a `SourceDocument` -> a typed `Invoice`, with a source and confidence per field.

`Extractor` is the interface both strategies meet (DESIGN.md); `RulesExtractor` is the deterministic
one. An e-invoice (embedded or standalone EN 16931 XML) is read exactly
(nodes/ingestion/_einvoice.py); the visible text is read by labels in seven languages paired by
layout (nodes/ingestion/_fields.py), money cross-checked (nodes/ingestion/_amounts.py), parties told
apart (nodes/ingestion/_party.py). When both exist the XML wins and every disagreement is recorded
in `Invoice.discrepancies` for the reviewer. A missing required field raises `IncompleteInvoice`,
which carries the draft with everything that was found.
"""

from __future__ import annotations

from typing import Protocol

from core.domain import REQUIRED_FIELDS, Invoice, InvoiceDraft, SourceDocument
from nodes.ingestion._amounts import GUESSED, LABELLED
from nodes.ingestion._einvoice import EInvoiceProblem, read_einvoice
from nodes.ingestion._textread import LOOKED_FOR, find_iban, text_draft
from nodes.ingestion.errors import ExtractionError

__all__ = ["Extractor", "IncompleteInvoice", "RulesExtractor", "draft_of", "find_iban", "merge"]

REQUIRED = REQUIRED_FIELDS
COMPARED = ("vendor_name", "invoice_number", "invoice_date", "currency", "total", "iban")
"""Fields whose visible value is held against the XML's (a disagreement goes to review)."""


class Extractor(Protocol):
    """Turns a document into an `Invoice`, or raises `ExtractionError` saying what is missing."""

    def extract(self, document: SourceDocument) -> Invoice: ...


class IncompleteInvoice(ExtractionError):
    """Required fields are missing; `draft` holds every field that was found, for review."""

    def __init__(self, path: str, draft: InvoiceDraft, *, ocr: float | None = None) -> None:
        problem = "no complete invoice could be extracted"
        if ocr is not None:
            problem = f"no text layer (a scan or photo, OCR confidence {ocr:.0%}): {problem}"
        super().__init__(path, problem, draft.missing_required())
        self.draft = draft


def _same(name: str, xml: object, text: object) -> bool:
    if isinstance(xml, str) and isinstance(text, str):
        a, b = (" ".join(v.casefold().split()) for v in (xml, text))
        if name == "vendor_name":
            return a in b or b in a
        return a.replace(" ", "") == b.replace(" ", "")
    return xml == text


def merge(xml: InvoiceDraft, text: InvoiceDraft) -> InvoiceDraft:
    """The XML's fields, completed from the text; each visible value that contradicts the
    XML becomes a sentence in `discrepancies`."""
    data = xml.model_dump()
    sources, confidence = dict(xml.sources), dict(xml.confidence)
    discrepancies = list(xml.discrepancies)
    for name in text.sources:
        if name == "lines":
            continue
        text_value, xml_value = getattr(text, name), getattr(xml, name)
        if name not in xml.sources:
            data[name], sources[name], confidence[name] = (
                text_value,
                text.sources[name],
                (text.confidence.get(name, GUESSED)),
            )
        elif name in COMPARED and text.confidence.get(name, 0) >= LABELLED:
            if not _same(name, xml_value, text_value):
                discrepancies.append(
                    f"{name}: the e-invoice XML says {xml_value}, the visible text says "
                    f"{text_value}"
                )
    if not xml.lines and text.lines:
        data["lines"] = text.lines
    data.update(sources=sources, confidence=confidence, discrepancies=discrepancies)
    data["missing"] = [name for name in LOOKED_FOR if data.get(name) in (None, "")]
    return InvoiceDraft.model_validate(data)


def draft_of(document: SourceDocument) -> InvoiceDraft:
    """Everything the document says: its e-invoice XML when it has one, merged with its text."""
    text = text_draft(document) if document.text.strip() else None
    if document.einvoice_xml:
        try:
            xml = read_einvoice(document.einvoice_xml)
        except EInvoiceProblem as problem:
            if text is None:
                raise ExtractionError(document.path, f"unreadable e-invoice ({problem})") from None
            return text
        return merge(xml, text) if text is not None else xml
    if text is None:
        return InvoiceDraft(missing=list(LOOKED_FOR))
    return text


class RulesExtractor:
    """Deterministic extraction, no model: the default strategy and the LLM's fallback."""

    def extract(self, document: SourceDocument) -> Invoice:
        draft = draft_of(document)
        if draft.missing_required():
            ocr = document.ocr_confidence if document.text_source == "ocr" else None
            raise IncompleteInvoice(document.path, draft, ocr=ocr)
        return draft.complete()
