"""What the procurement agents need at run time: the framework's context and their limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pydantic_settings import BaseSettings, SettingsConfigDict

from graphs.procurement.tools import procurement_registry
from nodes.context import AgentContext
from tools.executor import ToolExecutor


class ProcurementSettings(BaseSettings):
    """Procurement's own limits, from `OVERTURE_PROCUREMENT_*`."""

    model_config = SettingsConfigDict(env_prefix="OVERTURE_PROCUREMENT_", extra="ignore")

    auto_limit: Decimal = Decimal("1000")
    """Up to this, a request of an everyday category (`auto_categories`) is ordered at once."""
    finance_limit: Decimal = Decimal("10000")
    """Above this (and for `finance_categories`) a manager, then finance, must approve."""
    auto_categories: list[str] = ["office", "supplies"]
    finance_categories: list[str] = ["capex"]


@dataclass(kw_only=True)
class ProcurementContext(AgentContext):
    procurement: ProcurementSettings = field(default_factory=ProcurementSettings)

    def __post_init__(self) -> None:
        if self.tools is None:
            registry = procurement_registry(self.engine, self.procurement.auto_limit)
            self.tools = ToolExecutor(registry, self.engine)
