"""One exception hierarchy: every error carries its data and says what to do next.

Issue 3 engineers: the split of work (documents vs process) is in examples/CONTRACT.md.

Control-flow signals (LangGraph interrupts, retries) are not errors and stay out of it.
"""

from __future__ import annotations


class OvertureError(Exception):
    """Root of every error Overture raises on purpose."""


class ConfigurationError(OvertureError):
    """A setting is missing or malformed; the message names the setting and a valid value."""


class DatabaseUnavailable(OvertureError):
    """The configured database cannot be reached."""

    def __init__(self, url: str, cause: BaseException) -> None:
        self.url = url
        self.cause = cause
        super().__init__(
            f"cannot reach the database at {url}: {cause}; check OVERTURE_DATABASE_URL "
            "and that the server is running"
        )


class DocumentError(OvertureError):
    """A document cannot be read: empty, truncated, encrypted, not what its name says, too
    large, without content or in an unknown encoding. The run records it and goes to review.
    """

    def __init__(self, path: str, problem: str, hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.hint = hint
        tail = f"; {hint}" if hint else ""
        super().__init__(f"{path}: {problem}{tail}")


class ExtractionError(OvertureError):
    """A readable document did not yield an invoice: required fields are missing or wrong."""

    def __init__(self, path: str, problem: str, missing_fields: list[str] | None = None) -> None:
        self.path = path
        self.problem = problem
        self.missing_fields = list(missing_fields or [])
        missing = f" (missing: {', '.join(self.missing_fields)})" if self.missing_fields else ""
        super().__init__(
            f"{path}: {problem}{missing}; check the document, or enter the invoice by hand"
        )
