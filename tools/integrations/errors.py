"""Errors of the system-of-record integrations (the vendor master's bank details)."""

from __future__ import annotations

from core.errors import OvertureError


class InvalidIban(OvertureError, ValueError):
    """A value given as an IBAN is not one (schwifty's structure, length or checksum check)."""

    def __init__(self, value: str, problem: str) -> None:
        self.value = value
        self.problem = problem
        super().__init__(f"{value!r} is not a valid IBAN ({problem}); check it with the vendor")


class BankChangeRefused(OvertureError, PermissionError):
    """A vendor bank-detail change broke its control (unknown vendor, same person twice, ...)."""

    def __init__(self, subject: str, problem: str) -> None:
        self.subject = subject
        self.problem = problem
        super().__init__(f"bank-detail change refused for {subject}: {problem}")
