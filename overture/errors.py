"""Errors of the application shell: what a user asked for that is not there, or not theirs."""

from __future__ import annotations

from core.errors import OvertureError


class ApprovalNotFound(OvertureError, LookupError):
    """No approval request has this id."""

    def __init__(self, approval_id: str) -> None:
        self.approval_id = approval_id
        super().__init__(
            f"no approval request {approval_id!r}; `overture approvals` lists the pending ones"
        )


class ThreadNotFound(OvertureError, LookupError):
    """No checkpoint exists for this thread id."""

    def __init__(self, thread_id: str) -> None:
        self.thread_id = thread_id
        super().__init__(
            f"no run with thread id {thread_id!r}; `overture approvals` and `overture demo` "
            "print thread ids"
        )


class NotAuthenticated(OvertureError, PermissionError):
    """A command that decides needs a proven identity: an API key, not a typed name."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"{problem}; set OVERTURE_API_KEY to your key (`overture tokens create USER` makes "
            "one), or for a local single-user demo on SQLite set OVERTURE_SINGLE_USER=true "
            "and pass --as NAME"
        )


class NotHeldForReview(OvertureError, RuntimeError):
    """`overture review` named a run that is not held for review."""

    def __init__(self, thread_id: str, why: str) -> None:
        self.thread_id = thread_id
        self.why = why
        super().__init__(
            f"run {thread_id} is not held for review ({why}); `overture approvals` lists the "
            "runs that are"
        )
