"""The root of Overture's errors and the ones any layer may raise: configuration and the database.

Every error carries its data and says what to do next. Each area keeps its own errors beside
its code (memory/errors.py, tools/errors.py, tools/approval/errors.py, ...), each also
subclassing the nearest built-in, so `except ValueError` still catches a bad value.
Control-flow signals (LangGraph interrupts, retries) are not errors and stay out of it.
"""

from __future__ import annotations


class OvertureError(Exception):
    """Root of every error Overture raises on purpose."""


class ConfigurationError(OvertureError, RuntimeError):
    """A setting is missing or malformed; the message names the setting and a valid value."""


class DatabaseUnavailable(OvertureError, ConnectionError):
    """The configured database cannot be reached."""

    def __init__(self, url: str, cause: BaseException) -> None:
        self.url = url
        self.cause = cause
        super().__init__(
            f"cannot reach the database at {url}: {cause}; check OVERTURE_DATABASE_URL "
            "and that the server is running"
        )


class SettingsError(ConfigurationError, ValueError):
    """An `OVERTURE_*` variable holds a value its setting cannot take (issue 11, item 12)."""

    def __init__(
        self,
        variable: str,
        value: str,
        problem: str,
        accepted: str,
        also_invalid: list[str] | None = None,
    ) -> None:
        self.variable = variable
        self.value = value
        self.problem = problem
        self.accepted = accepted
        self.also_invalid = list(also_invalid or [])
        more = f" (also invalid: {', '.join(self.also_invalid)})" if self.also_invalid else ""
        super().__init__(f"{variable}={value!r} is not valid ({problem}); use {accepted}{more}")
