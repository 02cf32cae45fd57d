"""Why an approval decision or an approved call was refused; each says what to do next."""

from __future__ import annotations

from core.errors import OvertureError
from tools.errors import ToolCallRefused


class InvalidDecision(OvertureError, ValueError):
    """A resume value for the approval gateway that does not validate (action, edits)."""

    def __init__(self, approval_id: str, problem: str) -> None:
        self.approval_id = approval_id
        self.problem = problem
        super().__init__(
            f"invalid decision for {approval_id}: {problem}; use action approve, edit or reject, "
            "an approver name, and only the edits the tool allows"
        )


class ApprovalRefused(ToolCallRefused):
    """An approval or its use was refused; `request_id` names the approval request."""

    code = "approval_refused"

    def __init__(self, tool_name: str, request_id: str | None, message: str) -> None:
        self.request_id = request_id
        super().__init__(tool_name, message)


class ApprovalRequired(ApprovalRefused):
    """The call needs an approved request bound to its exact payload, and has none."""

    code = "approval_required"

    def __init__(
        self, tool_name: str, payload_hash: str, reason: str, request_id: str | None = None
    ) -> None:
        self.payload_hash = payload_hash
        self.reason = reason
        super().__init__(
            tool_name,
            request_id,
            f"{tool_name} needs approval ({reason}); request an approval for payload "
            f"{payload_hash[:12]} and run it once the request is approved",
        )


class ApprovalExpired(ApprovalRefused):
    """The request was not decided in time; it must be requested again."""

    code = "approval_expired"

    def __init__(self, tool_name: str, request_id: str, expires_at: object) -> None:
        self.expires_at = str(expires_at)
        super().__init__(
            tool_name,
            request_id,
            f"approval request {request_id} expired at {expires_at}; request the approval again",
        )


class UnknownApprover(ApprovalRefused):
    """The decision names a user who is not a registered, active approver."""

    code = "unknown_approver"

    def __init__(self, tool_name: str, request_id: str, approver: str) -> None:
        self.approver = approver
        super().__init__(
            tool_name,
            request_id,
            f"{approver!r} is not a registered approver; add them with "
            f"`overture users add {approver}` and grant a role",
        )


class NotAuthorised(ApprovalRefused):
    """The approver lacks the required role, or the role's limit is below the amount."""

    code = "not_authorised"

    def __init__(
        self,
        tool_name: str,
        request_id: str,
        approver: str,
        role: str,
        reason: str,
        limit: object = None,
        amount: object = None,
    ) -> None:
        self.approver = approver
        self.role = role
        self.reason = reason
        self.limit = None if limit is None else str(limit)
        self.amount = None if amount is None else str(amount)
        super().__init__(
            tool_name,
            request_id,
            f"{approver!r} may not approve {request_id}: {reason}; ask an approver holding "
            f"role {role!r} with a limit of at least {self.amount or 'the amount'}",
        )


class SelfApproval(ApprovalRefused):
    """The submitter tried to approve their own request (four-eyes principle)."""

    code = "self_approval"

    def __init__(self, tool_name: str, request_id: str, approver: str) -> None:
        self.approver = approver
        super().__init__(
            tool_name,
            request_id,
            f"{approver!r} submitted {request_id} and cannot approve it; ask another approver",
        )


class BarredApprover(ApprovalRefused):
    """Someone barred from a request tried to decide it: whoever asked for it, or the approver
    of an earlier step of the same approval chain (a different person at each step)."""

    code = "barred_approver"

    def __init__(self, tool_name: str, request_id: str, approver: str) -> None:
        self.approver = approver
        super().__init__(
            tool_name,
            request_id,
            f"{approver!r} may not decide this step: they asked for it or decided an earlier "
            "step; a different person must",
        )


class SecondApproverRequired(ApprovalRefused):
    """Above the two-person threshold, two distinct approvers must approve the same payload."""

    code = "second_approver_required"

    def __init__(
        self, tool_name: str, request_id: str, approvers: list[str], threshold: object
    ) -> None:
        self.approvers = list(approvers)
        self.threshold = str(threshold)
        have = ", ".join(self.approvers) or "nobody"
        super().__init__(
            tool_name,
            request_id,
            f"{request_id} is above the two-person threshold ({threshold}): approved so far by "
            f"{have}; a second, different approver must approve the same payload",
        )


class PayloadMismatch(ApprovalRefused):
    """What is about to run differs from what was approved (hash of the exact tool call)."""

    code = "payload_mismatch"

    def __init__(
        self, tool_name: str, request_id: str, approved_hash: str, actual_hash: str
    ) -> None:
        self.approved_hash = approved_hash
        self.actual_hash = actual_hash
        super().__init__(
            tool_name,
            request_id,
            f"the {tool_name} call about to run (payload {actual_hash[:12]}) is not the one "
            f"approved in {request_id} (payload {approved_hash[:12]}); nothing was executed, "
            "request approval for the new arguments",
        )


class AlreadyDecided(ApprovalRefused):
    """The request was decided already (perhaps by a concurrent approver): nothing to do."""

    code = "already_decided"

    def __init__(
        self, tool_name: str, request_id: str, status: str, decided_by: list[str] | None = None
    ) -> None:
        self.status = status
        self.decided_by = list(decided_by or [])
        who = f" by {', '.join(self.decided_by)}" if self.decided_by else ""
        super().__init__(
            tool_name,
            request_id,
            f"approval request {request_id} was already decided ({status}{who}); "
            "see `overture approvals --history`",
        )
