"""The state keys the ingestion agent reads and writes, in any workflow that reads documents.

A workflow's state declares these keys with the same types (its own `State` may hold many
more); `ingest` takes any such state.
"""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from core.domain import Invoice, InvoiceDraft, SourceDocument


class DocumentUpload(TypedDict):
    """A document sent as content (the server's input): its file name and base64 bytes."""

    name: str
    content_base64: str


class ReviewInput(TypedDict):
    """A reviewer's completion of a held run: field values to set (none: verify again, e.g.
    after onboarding the vendor). Who reviewed is the authenticated caller, never a name
    the client sends (`reviewer` is set by the CLI after checking the API key)."""

    values: dict[str, str]
    reviewer: NotRequired[str]
    comment: NotRequired[str]


class DocumentState(TypedDict, total=False):
    """What ingestion reads (a path, an upload or a review) and writes (document, invoice)."""

    document_path: str
    upload: DocumentUpload | None
    review: ReviewInput | None
    document: SourceDocument | None
    invoice: Invoice | None
    draft: InvoiceDraft | None
    errors: list[str]
