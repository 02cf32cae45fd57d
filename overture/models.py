"""The chat model each agent uses, chosen by settings; `None` means the `rules` strategy.

`OVERTURE_MODEL` sets the default (`rules` or `openai:<model>`); `OVERTURE_MODEL_<AGENT>`
overrides it for one agent. Any OpenAI-compatible endpoint works through `OPENAI_BASE_URL`.
With `openai:` chosen but neither `OPENAI_API_KEY` nor `OPENAI_BASE_URL` set, the agent falls
back to `rules` with a warning, so a fresh clone never needs a key. Token usage is recorded
per run by the trace sink (observability/sink.py) from each response's usage metadata.
"""

from __future__ import annotations

import logging
import os
from typing import Literal

from langchain_core.language_models import BaseChatModel

from core.errors import ConfigurationError
from core.settings import Settings

Agent = Literal["ingestion", "verification", "audit", "supervisor"]

log = logging.getLogger(__name__)


def model_spec(settings: Settings, agent: Agent | None = None) -> str:
    """The model spec in force for `agent`: its own override, else the default."""
    if agent is not None:
        override = os.environ.get(f"OVERTURE_MODEL_{agent.upper()}")
        if override:
            return override.strip()
    return settings.model.strip()


def make_chat_model(settings: Settings, agent: Agent | None = None) -> BaseChatModel | None:
    """A chat model for `agent`, or `None` when the rules strategy is in force."""
    spec = model_spec(settings, agent)
    if spec == "rules":
        return None
    provider, _, name = spec.partition(":")
    if provider != "openai" or not name:
        raise ConfigurationError(
            f"unknown model {spec!r} for agent {agent or 'default'}; "
            "use 'rules' or 'openai:<model>' (e.g. openai:gpt-4o-mini)"
        )
    if not (os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL")):
        log.warning(
            "model %s chosen for %s but OPENAI_API_KEY is not set: using the rules strategy",
            spec,
            agent or "all agents",
        )
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=name,
        temperature=settings.model_temperature,
        timeout=settings.model_timeout,
        max_retries=settings.model_max_retries,
        # OpenAI-compatible servers speak chat completions; the Responses API is OpenAI's own.
        use_responses_api=False,
        api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
    )
