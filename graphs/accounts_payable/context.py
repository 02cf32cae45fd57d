"""What the accounts-payable agents need at run time, beyond every workflow's `AgentContext`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from graphs.accounts_payable.tools import accounts_payable_registry
from nodes.context import AgentContext, require_context
from tools.executor import ToolExecutor
from tools.integrations.payments import PaymentGateway
from tools.integrations.read_tools import read_only_tools
from tools.registry import ToolRegistry

if TYPE_CHECKING:
    from langgraph.runtime import Runtime


@dataclass(kw_only=True)
class Context(AgentContext):
    """Run dependencies of the accounts-payable graph."""

    payments: PaymentGateway | None = None
    """The payment API; None means the SQL fake on `engine` (tools/integrations/payments)."""

    verification_model: BaseChatModel | None = None
    """The `llm` verification strategy's model; None means rules only (verification.py)."""

    audit_model: BaseChatModel | None = None
    """The `llm` audit strategy's model; None means the template summary (audit.py)."""

    read_tools: ToolExecutor | None = None
    """The read-only record tools an LLM agent may call; None means those of the records."""

    def __post_init__(self) -> None:
        if self.payments is None:
            self.payments = PaymentGateway(self.engine)
        if self.tools is None:
            registry = accounts_payable_registry(self.payments, self.settings)
            self.tools = ToolExecutor(registry, self.engine)
        if self.read_tools is None:
            self.read_tools = ToolExecutor(ToolRegistry(read_only_tools(self.engine)), self.engine)

    @property
    def payment_gateway(self) -> PaymentGateway:
        assert self.payments is not None  # set in __post_init__
        return self.payments


def context_of(runtime: Runtime[Context]) -> Context:
    """The run's accounts-payable context (the supervisor's extends it)."""
    return require_context(runtime, Context)
