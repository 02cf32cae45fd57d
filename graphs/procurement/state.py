"""The procurement state: a purchase request in; the order, or why there is none, out."""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, Field, computed_field
from typing_extensions import TypedDict

from graphs.procurement.tools import OrderCreated
from tools.approval.requests import ApprovalDecision


class PurchaseRequest(BaseModel):
    """What a requester asks to buy, for which cost centre, from which vendor."""

    number: str = Field(min_length=1, max_length=64, description="The requester's reference.")
    requester: str = Field(min_length=1, description="The Overture user asking.")
    requester_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    cost_centre: str = Field(min_length=1)
    vendor_id: str = Field(min_length=1)
    category: str = Field(min_length=1)
    description: str = Field(min_length=1, max_length=300)
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal = Field(gt=0)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class InputState(TypedDict):
    """A request as a JSON form (any client, the server's too) or a file (CLI: text, .eml)."""

    form: NotRequired[dict[str, Any]]
    document_path: NotRequired[str]


class State(TypedDict, total=False):
    form: dict[str, Any]
    document_path: str
    request: PurchaseRequest | None
    errors: Annotated[list[str], operator.add]
    route: str
    route_reasons: list[str]
    approvals: Annotated[list[ApprovalDecision], operator.add]
    approval_request_id: str | None
    order: OrderCreated | None
    outcome: str
    summary: str
    trail: Annotated[list[str], operator.add]


STATE_TYPES: tuple[type, ...] = (PurchaseRequest, OrderCreated, ApprovalDecision)
"""The models this workflow's checkpoints hold (the serializer's msgpack allowlist)."""
