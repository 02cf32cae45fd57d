"""The accounts-payable state: a narrow input, the internal `State`, a narrow output.

Lists that several nodes append to carry an `operator.add` reducer; everything else is
last-writer-wins. Values are Pydantic models so checkpoints round-trip them typed.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired

from typing_extensions import TypedDict

from core.domain import Invoice, InvoiceDraft, InvoiceLine, Route, SourceDocument
from graphs.accounts_payable.findings import Finding, VerificationReport
from nodes.case_memory import PastCase
from nodes.ingestion.state import DocumentUpload, ReviewInput
from tools.approval.requests import ApprovalDecision
from tools.audit_log import AuditRecord
from tools.integrations.payments import PaymentInstruction, PaymentReceipt


class InputState(TypedDict):
    """What a caller provides to start a run: one document, as content or (CLI) as a path."""

    document_path: NotRequired[str]
    """Path of the document (PDF, .eml or text); accepted only from the CLI/Python, and only
    under the configured inbox root."""

    upload: NotRequired[DocumentUpload]
    """The document itself (name + base64 bytes): how a server client sends its invoice."""

    review: NotRequired[ReviewInput]
    """On a thread held for review: the reviewer's values; the run continues from the
    extraction it kept (no re-reading) into verification."""


class State(TypedDict, total=False):
    """Everything the agents share while one document is processed."""

    document_path: str
    """Path of the document, as given by the caller (an upload's file name)."""

    upload: DocumentUpload | None
    """The uploaded document; ingestion reads it and clears it (bytes never stay in state)."""

    document: SourceDocument | None
    """The document as read by ingestion; None when it could not be read."""

    invoice: Invoice | None
    """The invoice extracted from the document; None when extraction failed."""

    draft: InvoiceDraft | None
    """Every field found when a required one is missing (sources, confidence, `missing`)."""

    review: ReviewInput | None
    """A reviewer's input, consumed by ingestion (cleared after)."""

    reviewed_by: str | None
    """Who completed or confirmed the extraction, when a reviewer did."""

    errors: Annotated[list[str], operator.add]
    """Ingestion/extraction problems, each naming the file; any one sends the run to review."""

    verification: VerificationReport | None
    """The verification agent's report; None when there was no invoice to verify."""

    route: Route
    """Where routing sent the run: auto_approve, needs_approval, human_review or reject."""

    route_reasons: list[str]
    """Why routing chose `route`, in words a reviewer understands."""

    payment_instruction: PaymentInstruction | None
    """The payment that will run if the route allows it (after edits by an approver)."""

    approval_request_id: str | None
    """The approval request row of this run, when it went through the gateway."""

    approval: ApprovalDecision | None
    """The human decision that resumed the gateway (who, what, comment)."""

    approval_outcome: str | None
    """`expired` when the request was not decided within its TTL (nothing is paid)."""

    payment: PaymentReceipt | None
    """The payment made by execution; None when nothing was paid."""

    audit: AuditRecord | None
    """The structured audit record written at the end of the run."""

    summary: str
    """The audit record's human-readable summary."""

    trail: Annotated[list[str], operator.add]
    """One line per agent step, in order: the run's story for `overture show`."""


class OutputState(TypedDict, total=False):
    """What a caller gets back from a finished run."""

    document_path: str
    route: Route
    route_reasons: list[str]
    errors: list[str]
    payment: PaymentReceipt | None
    summary: str
    audit: AuditRecord | None


def step(node: str, message: str) -> dict[str, Any]:
    """A `trail` update: one line attributing `message` to `node`."""
    return {"trail": [f"{node}: {message}"]}


STATE_TYPES: tuple[type, ...] = (
    SourceDocument,
    Invoice,
    InvoiceDraft,
    InvoiceLine,
    VerificationReport,
    Finding,
    PastCase,
    PaymentInstruction,
    PaymentReceipt,
    ApprovalDecision,
    AuditRecord,
)
"""Models stored in checkpoints, for the checkpointer's msgpack allowlist (strict mode)."""
