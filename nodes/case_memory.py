"""Long-term memory of cases: audit remembers each finished case, verification recalls them.

Cases live in the LangGraph store (`runtime.store`; memory/store.py: SQL rows searched with
FAISS) under ("cases", vendor_id), so a reviewer of a new invoice sees that this vendor changed
bank details before, or sent a duplicate. Recall never changes a route: it is evidence cited
in the verification report, not a check.
"""

from __future__ import annotations

from pathlib import Path

from langgraph.store.base import BaseStore
from pydantic import BaseModel

from core.domain import Invoice
from tools.audit_log import AuditRecord

CASES = "cases"
RECALL_LIMIT = 3
RECALL_QUERY = "bank details changed; duplicate invoice; dispute; price or quantity mismatch"
"""What verification looks for in a vendor's history: the cases a reviewer must know about."""


class PastCase(BaseModel):
    """A remembered case, as verification cites it."""

    thread_id: str
    invoice_number: str | None
    outcome: str
    text: str
    score: float | None = None


def remember(store: BaseStore, record: AuditRecord) -> None:
    """Store a finished case; only cases with something to learn from are recalled later."""
    if record.vendor_id is None:
        return
    notable = bool(record.findings or record.errors) or record.outcome not in {"paid"}
    # One thread may hold several cases (a supervisor run delegates many invoices).
    key = f"{record.thread_id}/{record.invoice_number or Path(record.document_path).name}"
    store.put(
        (CASES, record.vendor_id),
        key,
        {
            "thread_id": record.thread_id,
            "text": record.summary,
            "outcome": record.outcome,
            "invoice_number": record.invoice_number,
            "findings": [f["code"] for f in record.findings],
            "notable": notable,
        },
    )


def recall(store: BaseStore, vendor_id: str, invoice: Invoice) -> list[PastCase]:
    """The vendor's notable past cases most like the trouble a reviewer looks for."""
    hits = store.search(
        (CASES, vendor_id), query=RECALL_QUERY, filter={"notable": True}, limit=RECALL_LIMIT + 1
    )
    return [
        PastCase(
            thread_id=hit.value.get("thread_id", hit.key),
            invoice_number=hit.value.get("invoice_number"),
            outcome=hit.value.get("outcome", ""),
            text=hit.value.get("text", ""),
            score=hit.score,
        )
        for hit in hits
        if hit.value.get("invoice_number") != invoice.invoice_number
    ][:RECALL_LIMIT]
