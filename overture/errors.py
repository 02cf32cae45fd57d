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


class ThreadNotEmpty(OvertureError):
    """`copy_thread` was asked to copy into a thread that already has checkpoints."""

    def __init__(self, source_thread_id: str, target_thread_id: str) -> None:
        self.source_thread_id = source_thread_id
        self.target_thread_id = target_thread_id
        super().__init__(
            f"cannot copy thread {source_thread_id!r} into {target_thread_id!r}: the target "
            "already has checkpoints; copy into a new thread id, or delete_thread() the target "
            "first"
        )


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


class ApprovalNotFound(OvertureError):
    """No approval request has this id."""

    def __init__(self, approval_id: str) -> None:
        self.approval_id = approval_id
        super().__init__(
            f"no approval request {approval_id!r}; `overture approvals` lists the pending ones"
        )


class InvalidDecision(OvertureError):
    """A resume value for the approval gateway that does not validate (action, edits)."""

    def __init__(self, approval_id: str, problem: str) -> None:
        self.approval_id = approval_id
        self.problem = problem
        super().__init__(
            f"invalid decision for {approval_id}: {problem}; use action approve, edit or reject, "
            "an approver name, and edits of `amount` or `payee_iban` only"
        )


class ThreadNotFound(OvertureError):
    """No checkpoint exists for this thread id."""

    def __init__(self, thread_id: str) -> None:
        self.thread_id = thread_id
        super().__init__(
            f"no run with thread id {thread_id!r}; `overture approvals` and `overture demo` "
            "print thread ids"
        )


# --- Tool calls and approvals (issue 4) -------------------------------------------------------
# Every refusal carries a stable `code` (recorded in state and in the audit trail) and the data
# a caller needs to act on it; `record()` is the JSON-able form a graph keeps in its state.


class ToolRegistrationError(OvertureError):
    """A tool cannot be registered; raised at start-up, listing every offender at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "tool registry is not valid:\n  - "
            + "\n  - ".join(self.problems)
            + "\ngive every tool with side effects (write, money) an approval policy, "
            "e.g. ApprovalPolicy.never() or ApprovalPolicy.amount_over(limit, role=...)"
        )


class ToolCallRefused(OvertureError):
    """A tool call was refused before anything ran; the caller records it and routes on."""

    code = "refused"

    def __init__(self, tool_name: str, message: str) -> None:
        self.tool_name = tool_name
        super().__init__(message)

    def record(self) -> dict[str, object]:
        """The refusal as a JSON-able dict: the code, the message and the error's own fields."""
        fields = {
            key: value if isinstance(value, str | int | float | bool | list | None) else str(value)
            for key, value in vars(self).items()
            if not key.startswith("_")
        }
        return {"code": self.code, "message": str(self), **fields}


class UnknownTool(ToolCallRefused):
    """The call names a tool that is not registered: nothing outside the registry runs."""

    code = "unknown_tool"

    def __init__(self, tool_name: str, known: list[str]) -> None:
        self.known = sorted(known)
        super().__init__(
            tool_name,
            f"tool {tool_name!r} is not registered; call one of: {', '.join(self.known) or '-'}",
        )


class InvalidToolArguments(ToolCallRefused):
    """The arguments fail the tool's schema; `errors` lists each field and its problem."""

    code = "invalid_arguments"

    def __init__(self, tool_name: str, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(
            tool_name,
            f"arguments for {tool_name!r} fail its schema: {'; '.join(self.errors)}; "
            "fix them and call again",
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


class SettingsError(ConfigurationError):
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


class InvalidIban(OvertureError, ValueError):
    """A value given as an IBAN is not one (schwifty's structure, length or checksum check)."""

    def __init__(self, value: str, problem: str) -> None:
        self.value = value
        self.problem = problem
        super().__init__(f"{value!r} is not a valid IBAN ({problem}); check it with the vendor")


class BankChangeRefused(OvertureError):
    """A vendor bank-detail change broke its control (unknown vendor, same person twice, ...)."""

    def __init__(self, subject: str, problem: str) -> None:
        self.subject = subject
        self.problem = problem
        super().__init__(f"bank-detail change refused for {subject}: {problem}")


class NotAuthenticated(OvertureError):
    """A command that decides needs a proven identity: an API key, not a typed name."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"{problem}; set OVERTURE_API_KEY to your key (`overture tokens create USER` makes "
            "one), or for a local single-user demo on SQLite set OVERTURE_SINGLE_USER=true "
            "and pass --as NAME"
        )


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


class NotHeldForReview(OvertureError):
    """`overture review` named a run that is not held for review."""

    def __init__(self, thread_id: str, why: str) -> None:
        self.thread_id = thread_id
        self.why = why
        super().__init__(
            f"run {thread_id} is not held for review ({why}); `overture approvals` lists the "
            "runs that are"
        )
