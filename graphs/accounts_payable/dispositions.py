"""The two routes that end without payment: reject, and hold for human review.

Both only record what happened; the run ends at audit and stays in the checkpointer, where
`overture approvals` lists held runs for a reviewer and `overture show` explains them.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from graphs.accounts_payable.context import Context
from graphs.accounts_payable.state import State, step


def human_review(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: hold the invoice for a reviewer; nothing is paid."""
    reasons = "; ".join(state.get("route_reasons") or []) or "unspecified"
    return {"payment_instruction": None, **step("human_review", f"held: {reasons}")}


def reject(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: refuse the invoice; nothing is paid."""
    reasons = "; ".join(state.get("route_reasons") or []) or "unspecified"
    return {"payment_instruction": None, **step("reject", f"rejected: {reasons}")}
