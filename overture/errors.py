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


class CheckpointerModeError(OvertureError):
    """A sync method was called on the async saver, or the other way round."""

    def __init__(self, saver: str, method: str, use: str, hint: str) -> None:
        self.saver = saver
        self.method = method
        self.use = use
        super().__init__(f"{saver}.{method}() is not available in this mode: {hint}; use {use}")


class StoreSchemaMismatch(OvertureError):
    """The memory store's tables disagree with its configuration (e.g. embedding dims)."""

    def __init__(self, expected_dims: int, stored_dims: int) -> None:
        self.expected_dims = expected_dims
        self.stored_dims = stored_dims
        super().__init__(
            f"the memory store holds {stored_dims}-dimensional vectors but the index is "
            f"configured for {expected_dims}; use the embedder the memories were written with, "
            "or move them to a new database"
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
