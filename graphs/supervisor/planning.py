"""Planning for the supervisor: a free-text goal becomes steps for the specialised agents.

Two strategies behind one `plan(goal, inbox)` method. `rules` picks the inbox documents that
name a capitalised word of the goal (a vendor) and adds a summary e-mail when the goal asks for
one. `llm` asks a model for a `Plan` tool call; every step it proposes is validated (known
agent, a document that is really in the inbox, within the step limit) and what fails is
dropped with a reason, so a plan can never name a file or an agent the supervisor lacks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from graphs.supervisor import prompts
from nodes.ingestion.errors import DocumentError
from nodes.ingestion.ingest import read_document

AgentName = Literal["accounts_payable", "notify"]

AGENTS: dict[AgentName, str] = {
    "accounts_payable": "processes one invoice document end to end: ingestion, verification, "
    "routing, the approval gateway, payment, audit (needs document_path)",
    "notify": "e-mails the requester a summary of what the other steps did",
}

DOCUMENT_SUFFIXES = frozenset({".pdf", ".eml", ".txt"})
_MAIL_WORDS = re.compile(r"\b(e-?mail|mail|summary|summarise|summarize|report)\b", re.IGNORECASE)
_NAME_WORD = re.compile(r"\b[A-Z][A-Za-z0-9&-]{2,}\b")


class PlanStep(BaseModel):
    """One delegated step."""

    agent: AgentName
    instruction: str = Field(description="What the agent must do, in a sentence.")
    document_path: str | None = Field(
        None, description="For accounts_payable: the inbox file name to process."
    )


class Plan(BaseModel):
    """The steps that reach the goal, in order."""

    steps: list[PlanStep]


class PlanOutcome(BaseModel):
    """A validated plan, and what was dropped from the proposal and why."""

    steps: list[PlanStep]
    rejected: list[str] = Field(default_factory=list)
    strategy: str = "rules"


def inbox_documents(inbox: Path) -> list[Path]:
    """The documents the supervisor may act on: files directly in the inbox folder."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES)


class RulesPlanner:
    """Deterministic planning: file names in the goal, else its vendor words, select documents
    (all of the inbox when neither matches)."""

    def plan(self, goal: str, inbox: Path, max_steps: int) -> PlanOutcome:
        documents = inbox_documents(inbox)
        named = [d for d in documents if d.name in goal]
        names = {word.lower() for word in _NAME_WORD.findall(goal)[1:] or []}
        names |= {w.lower() for w in _NAME_WORD.findall(goal) if w.isupper() and len(w) > 2}
        chosen = named or [d for d in documents if names and _mentions(d, names)] or documents
        steps = [
            PlanStep(
                agent="accounts_payable", instruction=f"process {d.name}", document_path=d.name
            )
            for d in chosen
        ]
        if _MAIL_WORDS.search(goal):
            steps.append(PlanStep(agent="notify", instruction="e-mail the requester a summary"))
        return _within_limit(PlanOutcome(steps=steps), max_steps)


def _mentions(document: Path, names: set[str]) -> bool:
    try:
        text = read_document(document).text.lower()
    except DocumentError:
        return False
    return any(name in text for name in names)


class LLMPlanner:
    """Planning by a model, validated; the rules planner answers when the model cannot."""

    def __init__(self, model: BaseChatModel, fallback: RulesPlanner | None = None) -> None:
        self.model = model.bind_tools([Plan], tool_choice="Plan")
        self.fallback = fallback or RulesPlanner()

    def plan(self, goal: str, inbox: Path, max_steps: int) -> PlanOutcome:
        documents = inbox_documents(inbox)
        listing = "\n".join(f"- {d.name}" for d in documents) or "(empty)"
        agents = "\n".join(f"- {name}: {what}" for name, what in AGENTS.items())
        reply = self.model.invoke(
            [
                SystemMessage(prompts.SUPERVISOR_SYSTEM.format(max_steps=max_steps, agents=agents)),
                HumanMessage(
                    prompts.SUPERVISOR_USER.format(goal=goal)
                    + f"\n\nDocuments in the inbox:\n{listing}"
                ),
            ]
        )
        assert isinstance(reply, AIMessage)
        call = next((c for c in reply.tool_calls if c["name"] == "Plan"), None)
        if call is None:
            outcome = self.fallback.plan(goal, inbox, max_steps)
            outcome.rejected.append("the model proposed no plan; rules planned instead")
            return outcome
        return _within_limit(_validated(call["args"], {d.name for d in documents}), max_steps)


def _validated(raw: dict, inbox_names: set[str]) -> PlanOutcome:
    outcome = PlanOutcome(steps=[], strategy="llm")
    for index, step in enumerate(raw.get("steps") or [], start=1):
        try:
            parsed = PlanStep.model_validate(step)
        except ValidationError as error:
            outcome.rejected.append(f"step {index}: {error.errors()[0]['msg']} ({step!r})")
            continue
        if parsed.agent == "accounts_payable":
            name = Path(parsed.document_path or "").name
            if name not in inbox_names or name != parsed.document_path:
                outcome.rejected.append(
                    f"step {index}: {parsed.document_path!r} is not a document in the inbox"
                )
                continue
        outcome.steps.append(parsed)
    return outcome


def _within_limit(outcome: PlanOutcome, max_steps: int) -> PlanOutcome:
    if len(outcome.steps) > max_steps:
        outcome.rejected.append(
            f"plan cut from {len(outcome.steps)} to the step limit of {max_steps}"
        )
        outcome.steps = outcome.steps[:max_steps]
    return outcome
