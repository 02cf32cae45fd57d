"""What an approver may change in a call before approving it: each tool says, by its rule.

A tool registered without an edit rule may only be approved or rejected. The rule sees the
request, the arguments as requested and the edits asked for, and returns the edited arguments
or raises `InvalidDecision` saying what is allowed. The gateway (nodes/approval/gateway.py),
the CLI (overture/service.py) and the server's door (overture/server_checks.py) judge a
decision with the same `apply_decision`, so all three refuse the same edits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tools.approval.errors import InvalidDecision
from tools.approval.requests import ApprovalDecision

ArgsT = TypeVar("ArgsT", bound=BaseModel)

EditRule = Callable[[str, BaseModel, Mapping[str, Any]], BaseModel]
"""(request id, arguments as requested, edits) -> edited arguments, or `InvalidDecision`."""


def apply_decision(
    request_id: str, rule: EditRule | None, arguments: ArgsT, raw: Any
) -> tuple[ApprovalDecision, ArgsT]:
    """Validate a resume value and apply its edits under `rule`; `InvalidDecision` if bad."""
    try:
        decision = ApprovalDecision.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "value"
        raise InvalidDecision(request_id, f"{where}: {first['msg']}") from error
    if decision.action != "edit":
        return decision, arguments
    if rule is None:
        raise InvalidDecision(request_id, "this call cannot be edited; approve or reject it")
    edited = rule(request_id, arguments, decision.edits)
    if not isinstance(edited, type(arguments)):
        raise TypeError(f"an edit rule returned {type(edited).__name__}, not {type(arguments)}")
    return decision, edited


def lower_amount(
    field: str = "amount", *, never: Mapping[str, Callable[[Any], str]] | None = None
) -> EditRule:
    """The rule "only lower `field`, to more than zero"; `never` names fields that cannot be
    edited at all, each with the message (given the arguments) that says what to do instead."""
    refusals = dict(never or {})

    def rule(request_id: str, arguments: BaseModel, edits: Mapping[str, Any]) -> BaseModel:
        for name, explain in refusals.items():
            if name in edits:
                raise InvalidDecision(request_id, explain(arguments))
        unknown = set(edits) - {field}
        if unknown or not edits:
            problem = f"cannot edit {sorted(unknown)}" if unknown else "an edit needs `edits`"
            raise InvalidDecision(request_id, f"{problem}; only a lower `{field}` may be edited")
        current = Decimal(str(getattr(arguments, field)))
        try:
            value = Decimal(str(edits[field]))
        except (InvalidOperation, ValueError) as error:
            raise InvalidDecision(
                request_id, f"{field}: {edits[field]!r} is not a number"
            ) from error
        if not value.is_finite() or value <= 0 or value > current:
            raise InvalidDecision(
                request_id,
                f"{field} {value} is not allowed: an edit may only lower the {field}, to more "
                f"than 0 and at most the requested {current}; reject the request instead",
            )
        return arguments.model_copy(update={field: value})

    return rule
