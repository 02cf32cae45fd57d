"""Dynamic routing: the policy of examples/CONTRACT.md as small pure functions.

`decide_route` turns errors and verification findings into a route and its reasons; the
`route` node records them in state (so `overture show` can say why), and the conditional
edges below only read state and return the next node's name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from langgraph.runtime import Runtime
from pydantic import BaseModel

from core.domain import Invoice, Route
from graphs.accounts_payable.context import Context, context_of
from graphs.accounts_payable.findings import VerificationReport
from graphs.accounts_payable.state import State, step


class RouteDecision(BaseModel):
    """A route and the reasons for it, in words a reviewer understands."""

    route: Route
    reasons: list[str]


def decide_route(
    errors: list[str],
    invoice: Invoice | None,
    report: VerificationReport | None,
    threshold: Decimal,
) -> RouteDecision:
    """The routing policy, first match wins (CONTRACT.md, "Routing policy")."""
    if errors or invoice is None:
        return RouteDecision(route="human_review", reasons=errors or ["no invoice extracted"])
    if report is None:
        return RouteDecision(route="human_review", reasons=["invoice was not verified"])
    if report.has("duplicate"):
        return RouteDecision(route="reject", reasons=report.messages("duplicate"))
    if report.findings and all(f.code == "previously_refused" for f in report.findings):
        # refused before, clean now: an approver decides, whatever the amount
        return RouteDecision(route="needs_approval", reasons=report.messages())
    if report.findings:  # every other finding (bank details, PO, match, agent) needs a human
        return RouteDecision(route="human_review", reasons=report.messages())
    if invoice.payable > threshold:
        return RouteDecision(
            route="needs_approval",
            reasons=[
                f"clean match; total {invoice.payable} {invoice.currency} is above the "
                f"approval threshold {threshold}"
            ],
        )
    return RouteDecision(
        route="auto_approve",
        reasons=[
            f"clean three-way match; total {invoice.payable} {invoice.currency} within the "
            f"auto-approval threshold {threshold}"
        ],
    )


def route(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: decide and record the route (the decision is part of the audit trail)."""
    decision = decide_route(
        state.get("errors") or [],
        state.get("invoice"),
        state.get("verification"),
        context_of(runtime).settings.approval_threshold,
    )
    return {
        "route": decision.route,
        "route_reasons": decision.reasons,
        **step("route", f"{decision.route} ({'; '.join(decision.reasons)})"),
    }


def after_route(state: State) -> Route:
    """Conditional edge: go to the node named after the route."""
    return state["route"]


def after_approval(state: State) -> Literal["execute", "audit"]:
    """Conditional edge: pay only when a human approved (or edited) the payment."""
    approval = state.get("approval")
    return "execute" if approval is not None and approval.action != "reject" else "audit"


def after_auto_approve(state: State) -> Literal["execute", "audit"]:
    """Conditional edge: auto-approved runs pay unless no payment could be prepared."""
    return "execute" if state.get("payment_instruction") is not None else "audit"
