"""The one way a registered tool runs: schema, approval policy, ledger, audit trail.

`execute` raises the typed refusal (for code that wants to stop); `try_execute` and
`run_tool_calls` return it as a `ToolOutcome` for the caller to record in state (for nodes
and LLM agents, which must never crash on a bad call). A refused call never reaches its
handler, and every refusal is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import ToolMessage
from pydantic import BaseModel
from sqlalchemy import Engine

from observability.tracing import traced_tool_calls
from tools import audit_trail
from tools.approval.errors import ApprovalRequired
from tools.approval.policy import ApprovalTerms, check_execution
from tools.approval.votes import votes_for
from tools.audit_trail import AuditEvent
from tools.canonical import canonical_json
from tools.crashpoints import crash_point
from tools.errors import ToolCallRefused
from tools.ledger import ExecutionLedger, idempotency_key, obligation_key
from tools.registry import BoundCall, ToolRegistry, ToolSpec


@dataclass(frozen=True)
class CallScope:
    """Where a call is made: the thread and node (part of the idempotency key) and who asks.

    `obligation` names the business obligation the call fulfils (tools/obligations.py); its
    key then replaces the thread's, so no other run of the same obligation repeats it.
    """

    thread_id: str
    node: str
    actor: str = "agent"
    obligation: str | None = None


class ToolOutcome(BaseModel):
    """What became of one call; JSON-able, so a node can keep it in state."""

    tool: str
    status: Literal["succeeded", "refused", "failed"]
    payload_hash: str | None = None
    idempotency_key: str | None = None
    result: Any = None
    replayed: bool = False
    refusal: dict[str, Any] | None = None
    error: str | None = None
    call_id: str | None = None


class ToolExecutor:
    """Runs calls of one registry against one database (ledger and audit trail)."""

    def __init__(self, registry: ToolRegistry, engine: Engine) -> None:
        self.registry = registry
        self.engine = engine
        self.ledger = ExecutionLedger(engine)

    @traced_tool_calls
    def execute(
        self,
        name: str,
        arguments: Mapping[str, Any] | BaseModel,
        scope: CallScope,
        *,
        approval: ApprovalTerms | None = None,
    ) -> ToolOutcome:
        """Run the call once, or raise `ToolCallRefused` (audited) before anything runs.

        `approval` is the request that approved this call, when its policy requires one;
        what runs must hash to what that request's approvers approved.
        """
        try:
            spec = self.registry.get(name)
            call = self.registry.bind(name, _plain(arguments))
            approvers = self._check_policy(spec, call, approval)
        except ToolCallRefused as refusal:
            self._audit_refusal(refusal, name, arguments, scope, approval)
            raise
        if spec.side_effect == "read":
            result = spec.handler(call.args)
            return ToolOutcome(
                tool=spec.name, status="succeeded", result=result, payload_hash=call.payload_hash
            )
        key = (
            obligation_key(scope.obligation, spec.name)
            if scope.obligation
            else idempotency_key(scope.thread_id, scope.node, spec.name, call.arguments)
        )
        request_id = approval.request_id if approval else None
        crash_point("executor.before_ledger")
        try:
            outcome = self.ledger.run_once(
                key=key,
                thread_id=scope.thread_id,
                node=scope.node,
                tool=spec.name,
                payload_hash=call.payload_hash,
                call=lambda: spec.handler(call.args, idempotency_key=key),
            )
        except Exception as error:
            self._audit(
                scope,
                spec.name,
                "failed",
                call.payload_hash,
                request_id,
                code=type(error).__name__,
                comment=str(error),
                detail={"idempotency_key": key},
            )
            raise
        crash_point("executor.before_audit")
        self._audit(
            scope,
            spec.name,
            "replayed" if outcome.replayed else "executed",
            call.payload_hash,
            request_id,
            detail={"idempotency_key": key, "attempts": outcome.attempts, "approvers": approvers},
        )
        result = outcome.result
        if spec.result_schema is not None:
            result = spec.result_schema.model_validate(result)
        return ToolOutcome(
            tool=spec.name,
            status="succeeded",
            payload_hash=call.payload_hash,
            idempotency_key=key,
            result=result,
            replayed=outcome.replayed,
        )

    def try_execute(
        self,
        name: str,
        arguments: Mapping[str, Any] | BaseModel,
        scope: CallScope,
        *,
        approval: ApprovalTerms | None = None,
        call_id: str | None = None,
    ) -> ToolOutcome:
        """As `execute`, but refusals and failures come back as outcomes, never raised."""
        try:
            outcome = self.execute(name, arguments, scope, approval=approval)
        except ToolCallRefused as refusal:
            return ToolOutcome(
                tool=name,
                status="refused",
                refusal=refusal.record(),
                error=str(refusal),
                call_id=call_id,
            )
        except Exception as error:  # noqa: BLE001 - recorded in ledger, audit and state
            return ToolOutcome(
                tool=name,
                status="failed",
                error=f"{type(error).__name__}: {error}",
                call_id=call_id,
            )
        return outcome.model_copy(update={"call_id": call_id})

    def run_tool_calls(
        self, tool_calls: Iterable[Mapping[str, Any]], scope: CallScope
    ) -> list[ToolOutcome]:
        """Execute the tool calls an LLM proposed (`AIMessage.tool_calls`), each on its own."""
        return [
            self.try_execute(c["name"], c.get("args") or {}, scope, call_id=c.get("id"))
            for c in tool_calls
        ]

    def runner(self, scope: CallScope) -> Callable[[str, dict[str, Any]], Any]:
        """A `run` for `ToolRegistry.as_langchain_tools`: executes within `scope`."""

        def run(name: str, arguments: dict[str, Any]) -> Any:
            outcome = self.execute(name, arguments, scope)
            return outcome.result

        return run

    # -- internals -------------------------------------------------------------------------

    def _check_policy(
        self, spec: ToolSpec, call: BoundCall, approval: ApprovalTerms | None
    ) -> list[str]:
        policy = spec.policy
        if policy is None or not policy.requires_approval(call.args):
            return []
        if approval is None:
            raise ApprovalRequired(spec.name, call.payload_hash, policy.description)
        votes = votes_for(self.engine, approval.request_id)
        return check_execution(approval, votes, spec.name, call.payload_hash).approvers

    def _audit_refusal(
        self,
        refusal: ToolCallRefused,
        name: str,
        arguments: Mapping[str, Any] | BaseModel,
        scope: CallScope,
        approval: ApprovalTerms | None,
    ) -> None:
        self._audit(
            scope,
            name,
            "refused",
            getattr(refusal, "actual_hash", None) or getattr(refusal, "payload_hash", None),
            approval.request_id if approval else getattr(refusal, "request_id", None),
            code=refusal.code,
            comment=str(refusal),
            detail={"arguments": canonical_json(_plain(arguments)), **refusal.record()},
        )

    def _audit(
        self,
        scope: CallScope,
        tool: str,
        event: Literal["refused", "executed", "replayed", "failed"],
        payload_hash: str | None,
        request_id: str | None,
        *,
        code: str | None = None,
        comment: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        audit_trail.record(
            self.engine,
            AuditEvent(
                event=event,
                thread_id=scope.thread_id,
                request_id=request_id,
                tool=tool,
                actor=scope.actor,
                payload_hash=payload_hash,
                code=code,
                comment=comment,
                detail={"node": scope.node, **(detail or {})},
            ),
        )


def _plain(arguments: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    return arguments.model_dump() if isinstance(arguments, BaseModel) else dict(arguments)


def tool_messages(outcomes: Iterable[ToolOutcome]) -> list[ToolMessage]:
    """Answers for the LLM: each outcome as a `ToolMessage` (refusals say what to do next)."""
    return [
        ToolMessage(
            content=canonical_json(o.result) if o.status == "succeeded" else (o.error or ""),
            tool_call_id=o.call_id or "",
            status="success" if o.status == "succeeded" else "error",
        )
        for o in outcomes
    ]
