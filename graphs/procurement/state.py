"""The procurement state: a purchase request in; the order, or why there is none, out."""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator
from typing_extensions import TypedDict

from core.domain import POLine, PurchaseOrder
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

    amount: Decimal = Field(Decimal(0), description="quantity x unit price, never the form's")

    @model_validator(mode="after")
    def _amount(self) -> PurchaseRequest:
        self.amount = (self.quantity * self.unit_price).quantize(Decimal("0.01"))
        return self


class State(TypedDict, total=False):
    """A run's input is a JSON `form` (any client, the server's too) or a file's
    `document_path` (CLI: text, .eml, .json); the rest the agents write."""

    form: dict[str, Any]
    document_path: str
    request: PurchaseRequest | None
    errors: Annotated[list[str], operator.add]
    route: str
    route_reasons: list[str]
    approvals: Annotated[list[ApprovalDecision], operator.add]
    approval_request_id: str | None
    order: PurchaseOrder | None
    outcome: str
    summary: str
    trail: Annotated[list[str], operator.add]


STATE_TYPES: tuple[type, ...] = (PurchaseRequest, PurchaseOrder, POLine, ApprovalDecision)
"""The models this workflow's checkpoints hold (the serializer's msgpack allowlist)."""
