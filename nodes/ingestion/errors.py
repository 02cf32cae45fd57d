"""Errors of reading a document and extracting its fields."""

from __future__ import annotations

from core.errors import OvertureError


class DocumentError(OvertureError, ValueError):
    """A document cannot be read: empty, truncated, encrypted, not what its name says, too
    large, without content or in an unknown encoding. The run records it and goes to review.
    """

    def __init__(self, path: str, problem: str, hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.hint = hint
        tail = f"; {hint}" if hint else ""
        super().__init__(f"{path}: {problem}{tail}")


class ExtractionError(OvertureError, ValueError):
    """A readable document did not yield an invoice: required fields are missing or wrong."""

    def __init__(self, path: str, problem: str, missing_fields: list[str] | None = None) -> None:
        self.path = path
        self.problem = problem
        self.missing_fields = list(missing_fields or [])
        missing = f" (missing: {', '.join(self.missing_fields)})" if self.missing_fields else ""
        super().__init__(
            f"{path}: {problem}{missing}; check the document, or enter the invoice by hand"
        )
