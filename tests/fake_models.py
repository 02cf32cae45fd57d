"""Scripted chat models: deterministic stand-ins for an LLM, with tool calling.

A script entry is an `AIMessage` or a function of the conversation returning one (how a
model that obeys injected instructions is written). `calls` keeps every conversation seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

ScriptEntry = AIMessage | Callable[[list[BaseMessage]], AIMessage]
"""What a script entry may be."""


def tool_call(name: str, args: dict[str, Any], content: str = "") -> AIMessage:
    """An assistant message proposing one tool call."""
    return AIMessage(
        content=content,
        tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:8]}"}],
        usage_metadata={"input_tokens": 50, "output_tokens": 20, "total_tokens": 70},
    )


class ScriptedChatModel(BaseChatModel):
    """Replies from its script in order; fails loudly when the script runs out."""

    script: list[Any]
    """`AIMessage`s or functions of the conversation (typed loosely: pydantic would coerce)."""
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[Any] = Field(default_factory=list)
    model_name: str = "scripted"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        self.bound_tools = list(tools)
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append(list(messages))
        if not self.script:
            raise AssertionError(f"the scripted model ran out at call {len(self.calls)}")
        entry = self.script.pop(0)
        message = entry(list(messages)) if callable(entry) else entry
        return ChatResult(generations=[ChatGeneration(message=message)])
