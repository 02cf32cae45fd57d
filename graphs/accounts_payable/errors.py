"""Errors of the accounts-payable workflow."""

from __future__ import annotations

from tools.errors import ToolCallRefused


class NothingToPay(ToolCallRefused):
    """Execution found no payment this run may make: the books, not the state, decide."""

    code = "nothing_to_pay"

    def __init__(self, thread_id: str, problem: str) -> None:
        self.thread_id = thread_id
        self.problem = problem
        super().__init__(
            "payments.pay",
            f"run {thread_id} may not pay: {problem}; the invoice must pass verification "
            "(and approval above the threshold) in this run",
        )
