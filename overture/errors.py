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
