"""Settings from the environment (``OVERTURE_*``), with defaults that need no network."""

from __future__ import annotations

import getpass
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path(".overture")


class Settings(BaseSettings):
    """Everything Overture reads from the environment; every field has a working default."""

    model_config = SettingsConfigDict(env_prefix="OVERTURE_", extra="ignore")

    home: Path = Field(
        DEFAULT_HOME, description="Folder for the embedded SQLite database and artefacts."
    )
    database_url: str | None = Field(
        None,
        description="One URL for checkpoints, memory, ledger, approvals and traces. "
        "Default: a SQLite file under `home`.",
    )
    sqlite_synchronous: str = Field(
        "NORMAL",
        description="SQLite `PRAGMA synchronous` under WAL. NORMAL (the default, as the official "
        "SqliteSaver leaves it under WAL) may lose the last commits on power loss, never on a "
        "process crash; FULL survives power loss at the cost of an fsync per commit.",
    )
    model: str = Field(
        "rules",
        description="`rules` or `openai:<model>`; per agent, OVERTURE_MODEL_<AGENT> overrides it "
        "(e.g. OVERTURE_MODEL_INGESTION=openai:gpt-4o-mini).",
    )
    model_temperature: float = Field(0.0, description="Sampling temperature for LLM agents.")
    model_timeout: float = Field(60.0, description="Seconds before a model call is abandoned.")
    model_max_retries: int = Field(2, description="Retries of a failed model call.")
    llm_repairs: int = Field(
        2, description="Times an LLM agent is shown its validation errors before rules take over."
    )
    embedder: str = Field("hash", description="`hash`, `local` or `openai:<model>`.")
    price_tolerance: Decimal = Field(Decimal("0.02"), description="Relative PO price tolerance.")
    approval_threshold: Decimal = Field(
        Decimal("10000"),
        description="Clean invoices above this total need a human approval; "
        "at or below it they are paid automatically.",
    )
    approval_ttl: timedelta = Field(
        timedelta(hours=72),
        description="How long an approval request may wait for its decision; after that it "
        "expires and must be requested again (seconds or ISO 8601, e.g. PT72H).",
    )
    user: str = Field(
        default_factory=getpass.getuser,
        description="Who this process acts as: the submitter of the runs it starts, who may "
        "not approve them (OVERTURE_USER; default: the login name).",
    )
    two_person_threshold: Decimal = Field(
        Decimal("50000"),
        description="Above this amount two distinct approvers must approve the same payload.",
    )

    inbox: Path = Field(
        Path("examples/documents"), description="Folder the supervisor plans over (documents)."
    )
    requester_email: str = Field(
        "ap-team@example.com", description="Where the supervisor e-mails its summaries."
    )
    supervisor_max_steps: int = Field(20, description="Steps before the supervisor stops.")

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'overture.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build `Settings(...)` directly instead."""
    return Settings()
