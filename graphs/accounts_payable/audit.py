"""The audit agent: a structured audit record in SQL and a summary a human can read.

The `rules` strategy writes the summary from a template; the `llm` strategy (when the context
holds an `audit_model`) asks the model to write it from the record's facts, with the template
as its fallback. The structured record is the same either way.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from graphs.accounts_payable import prompts
from graphs.accounts_payable.context import Context, context_of
from graphs.accounts_payable.state import State, step
from nodes.case_memory import remember
from nodes.context import case_store, thread_id_of
from tools import obligations
from tools.audit_log import AuditRecord, Outcome, write_record

log = logging.getLogger(__name__)


def outcome_of(state: State) -> Outcome:
    if state.get("payment") is not None:
        return "paid"
    approval = state.get("approval")
    if approval is not None and approval.action == "reject":
        return "approval_rejected"
    if state.get("approval_outcome") == "expired":
        return "approval_expired"
    return "rejected" if state.get("route") == "reject" else "held_for_review"


def build_record(state: State, thread_id: str) -> AuditRecord:
    """The structured record: every fact the summary states, and the evidence behind it."""
    invoice, report = state.get("invoice"), state.get("verification")
    payment, approval = state.get("payment"), state.get("approval")
    record = AuditRecord(
        thread_id=thread_id,
        document_path=state.get("document_path", ""),
        route=state.get("route"),
        outcome=outcome_of(state),
        reasons=list(state.get("route_reasons") or []),
        errors=list(state.get("errors") or []),
        findings=[f.model_dump(mode="json") for f in report.findings] if report else [],
        vendor_id=report.vendor_id if report else None,
        invoice_number=invoice.invoice_number if invoice else None,
        amount=payment.instruction.amount if payment else (invoice.total if invoice else None),
        currency=invoice.currency if invoice else None,
        approval=approval.model_dump(mode="json") if approval else None,
        payment_id=payment.payment_id if payment else None,
    )
    record.summary = summarise(record, vendor_name=report.vendor_name if report else None)
    return record


_OUTCOME_TEXT: dict[Outcome, str] = {
    "paid": "was paid",
    "rejected": "was rejected",
    "held_for_review": "is held for human review",
    "approval_rejected": "was not paid: the approver rejected it",
    "approval_expired": "was not paid: its approval request expired undecided",
}


def summarise(record: AuditRecord, vendor_name: str | None = None) -> str:
    """A few sentences for an auditor: what, from whom, decided how, by whom, and why."""
    what = f"Invoice {record.invoice_number}" if record.invoice_number else "The document"
    who = f" from {vendor_name}" if vendor_name else ""
    amount = f" for {record.amount} {record.currency}" if record.amount is not None else ""
    lines = [f"{what}{who}{amount} ({record.document_path}) {_OUTCOME_TEXT[record.outcome]}."]
    if record.route:
        lines.append(f"Route: {record.route}. Reasons: {'; '.join(record.reasons) or 'none'}.")
    if record.approval:
        decision = record.approval
        comment = f' ("{decision["comment"]}")' if decision.get("comment") else ""
        edits = f" with edits {decision['edits']}" if decision.get("edits") else ""
        lines.append(f"Decision: {decision['action']} by {decision['approver']}{edits}{comment}.")
    if record.payment_id:
        lines.append(f"Payment {record.payment_id} executed through the payments tool.")
    return " ".join(lines)


def llm_summary(model: BaseChatModel, record: AuditRecord) -> str:
    """The `llm` strategy: the model writes the summary from the record's facts only."""
    facts = record.model_dump_json(exclude={"summary"}, indent=1)
    reply = model.invoke(
        [SystemMessage(prompts.AUDIT_SYSTEM), HumanMessage(prompts.AUDIT_USER.format(facts=facts))]
    )
    text = reply.text.strip()
    if not text:
        raise ValueError("the audit model returned an empty summary")
    return text


def audit(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Graph node: write the audit record (upsert by thread) and the summary."""
    context = context_of(runtime)
    record = build_record(state, thread_id_of(runtime))
    if context.audit_model is not None:
        try:
            record.summary = llm_summary(context.audit_model, record)
        except Exception as error:  # noqa: BLE001 - any model failure falls back to the template
            log.warning("audit model failed (%s); the template summary stands", error)
    write_record(context.engine, record)
    if record.outcome != "paid":  # release the invoice: a later run may take it over
        obligations.close(context.engine, thread_id_of(runtime), record.outcome)
    store = case_store(runtime)
    if store is not None:
        remember(store, record)
    return {"audit": record, "summary": record.summary, **step("audit", record.outcome)}
