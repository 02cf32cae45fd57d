"""Settings from the environment (``OVERTURE_*``), with defaults that need no network.

A malformed value never ends in a pydantic traceback: `get_settings()` raises a
`SettingsError` naming the variable, the value and the forms it accepts.
"""

from __future__ import annotations

import getpass
import re
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import SettingsError

DEFAULT_HOME = Path(".overture")
ENV_PREFIX = "OVERTURE_"

_SECONDS = re.compile(r"\s*\d+(\.\d+)?\s*")
_DURATION = TypeAdapter(timedelta)

DURATION_FORMS = "a number of seconds (e.g. 90) or an ISO 8601 duration (e.g. PT72H, P3D)"
_ACCEPTED_BY_TYPE: dict[object, str] = {
    timedelta: DURATION_FORMS,
    Decimal: "a decimal number (e.g. 10000 or 0.02)",
    int: "a whole number (e.g. 20)",
    float: "a number (e.g. 0.5)",
}
"""What to tell a user who set a variable of this type to something else."""


def parse_duration(value: object) -> timedelta:
    """A positive duration from seconds (`90`, `1.5`) or ISO 8601 (`PT72H`, `P3D`).

    Pydantic alone reads a bare "90" from the environment as a malformed ISO duration, though
    the setting's description (and any user) says seconds are fine.
    """
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, int | float) or (isinstance(value, str) and _SECONDS.fullmatch(value)):
        duration = timedelta(seconds=float(value))
    else:
        duration = _DURATION.validate_python(value)
    if duration <= timedelta(0):
        raise ValueError("a duration must be longer than zero")
    return duration


class Settings(BaseSettings):
    """Everything Overture reads from the environment; every field has a working default."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

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

    inbox_root: Path | None = Field(
        None,
        description="The only folder a document may be read from by path (resolved: no `..` "
        "or symlink out of it). Unset: the CLI and Python read any path their user names; "
        "the server reads only under `inbox` (OVERTURE_INBOX). Keep `inbox` inside it (the "
        "supervisor reads from there). Server clients send the document itself (`upload`).",
    )

    @field_validator("approval_ttl", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'overture.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build `Settings(...)` directly instead.

    Raises `SettingsError` (not pydantic's `ValidationError`) for a malformed variable.
    """
    try:
        return Settings()
    except ValidationError as error:
        raise settings_error(error) from None


def settings_error(error: ValidationError) -> SettingsError:
    """The first invalid variable (and the names of any others) as one `SettingsError`."""
    problems = error.errors(include_url=False)
    names = [ENV_PREFIX + "_".join(str(part) for part in p["loc"]).upper() for p in problems]
    first = problems[0]
    field = Settings.model_fields.get(str(first["loc"][0])) if first["loc"] else None
    annotation = field.annotation if field is not None else None
    accepted = _ACCEPTED_BY_TYPE.get(annotation, "see `overture --help` for the setting")
    return SettingsError(
        names[0], str(first.get("input")), str(first["msg"]), accepted, also_invalid=names[1:]
    )
