"""A reviewer completes or corrects an extraction: `--set field=value` pairs -> an `Invoice`.

For the human-review resume (CLI `overture review THREAD --set total=... --set
invoice_number=...` and the server's resume value): parse the pairs, apply them to the run's
draft (or to its invoice, to correct one), and get the `Invoice` verification continues with.
Every value set is recorded as sourced `reviewer` with full confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from langgraph.types import Overwrite
from pydantic import ValidationError

from core.domain import SCALAR_FIELDS, Invoice, InvoiceDraft
from core.errors import OvertureError

EDITABLE = SCALAR_FIELDS
"""Fields a reviewer may set by name (lines are not edited field by field)."""


class ReviewEditError(OvertureError):
    """A reviewer's `--set` values do not make a valid, complete invoice."""

    def __init__(self, problem: str, missing: list[str] | None = None) -> None:
        self.problem = problem
        self.missing = list(missing or [])
        tail = f"; still missing: {', '.join(self.missing)}" if self.missing else ""
        super().__init__(
            f"{problem}{tail}; set each as --set FIELD=VALUE (fields: {', '.join(EDITABLE)})"
        )


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """`["total=12.30", "invoice_number=A-1"]` -> `{"total": "12.30", ...}`."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ReviewEditError(f"{pair!r} is not FIELD=VALUE")
        if name not in EDITABLE:
            raise ReviewEditError(f"{name!r} is not an invoice field a reviewer can set")
        values[name] = value.strip()
    return values


def as_draft(found: InvoiceDraft | Invoice | None) -> InvoiceDraft:
    """The run's draft, its invoice as a draft, or an empty draft (nothing was extracted)."""
    if found is None:
        return InvoiceDraft()
    return InvoiceDraft.model_validate(found.model_dump())


def complete_from_review(
    found: InvoiceDraft | Invoice | None, values: Mapping[str, object]
) -> Invoice:
    """The invoice after the reviewer's values; `ReviewEditError` naming what is still
    missing or does not parse (e.g. `total=abc`)."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ReviewEditError(f"not invoice fields: {', '.join(unknown)}")
    try:
        draft = as_draft(found).with_values(dict(values), source="reviewer")
    except ValidationError as error:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors())
        raise ReviewEditError(f"invalid value ({problems})") from None
    if missing := draft.missing_required():
        raise ReviewEditError("the invoice is not complete yet", missing)
    return draft.complete()


def reviewed(state: Mapping[str, Any], reviewer: str | None) -> dict[str, Any]:
    """The state update of a reviewer's completion: the invoice from the kept draft (or the
    invoice, to correct it) and the values, with ingestion's errors replaced, so the run
    continues into verification from there; a bad completion is the new error instead."""
    review = state.get("review") or {}
    path = state.get("document_path", "")
    found = state.get("draft") or state.get("invoice")
    done: dict[str, Any] = {"review": None}
    if reviewer is None:
        return {**done, "errors": Overwrite([f"{path}: a review needs an authenticated reviewer"])}
    if found is None and state.get("document") is None:
        return {**done, "errors": Overwrite([f"{path}: nothing to review on this thread"])}
    try:
        invoice = complete_from_review(found, dict(review.get("values") or {}))
    except ReviewEditError as error:
        return {**done, "errors": Overwrite([f"{path}: review by {reviewer}: {error}"])}
    what = ", ".join(sorted(review.get("values") or {})) or "no field changed"
    return {
        **done,
        "invoice": invoice,
        "draft": None,
        "errors": Overwrite([]),
        "reviewed_by": reviewer,
        "trail": [f"ingest: completed by reviewer {reviewer} ({what})"],
    }
