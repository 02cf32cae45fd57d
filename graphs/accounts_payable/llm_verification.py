"""The `llm` verification strategy: a tool-calling agent that investigates, never decides.

The rules checks (graphs/accounts_payable/verification.py) stay authoritative; the agent can only
add concerns, each of which sends the run to a human. It holds the read-only record tools alone
(tools/integrations/read_tools.py), so whatever a document persuades it to try, it has nothing that
moves money: such a call is refused by the executor and lands in the audit trail.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from core.domain import Invoice
from graphs.accounts_payable import prompts
from graphs.accounts_payable.findings import Finding
from nodes.ingestion.prompts import delimit_document
from tools.executor import CallScope, ToolExecutor, tool_messages

MAX_TOOL_ROUNDS = 4
"""Rounds of tool calls before the agent must answer; bounded so a confused model ends."""


def investigate(
    model: BaseChatModel, invoice: Invoice, tools: ToolExecutor, scope: CallScope
) -> list[Finding]:
    """Let the model look things up, then turn each `PROBLEM` line of its answer into a
    finding; refused tool calls become findings too (an agent that tries them is suspect)."""
    bound = model.bind_tools(tools.registry.as_langchain_tools())
    invoice_json = invoice.model_dump_json(exclude={"confidence"}, indent=1)
    messages: list[BaseMessage] = [
        SystemMessage(prompts.VERIFICATION_SYSTEM),
        HumanMessage(prompts.VERIFICATION_USER.format(invoice=delimit_document(invoice_json))),
    ]
    findings: list[Finding] = []
    for _ in range(MAX_TOOL_ROUNDS):
        reply = bound.invoke(messages)
        assert isinstance(reply, AIMessage)
        messages.append(reply)
        if not reply.tool_calls:
            return findings + _problems(reply.text)
        outcomes = tools.run_tool_calls(reply.tool_calls, scope)
        findings += [
            Finding(code="agent_concern", message=f"verification agent's call refused: {o.error}")
            for o in outcomes
            if o.status == "refused"
        ]
        messages += tool_messages(outcomes)
    findings.append(
        Finding(
            code="agent_concern",
            message=f"verification agent gave no answer within {MAX_TOOL_ROUNDS} tool rounds",
        )
    )
    return findings


def _problems(answer: str) -> list[Finding]:
    return [
        Finding(code="agent_concern", message=f"verification agent: {line.strip()}")
        for line in answer.splitlines()
        if line.strip().upper().startswith("PROBLEM")
    ]
