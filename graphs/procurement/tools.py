"""The procurement tools: a purchase order in the ERP, and the requester's e-mail.

An order commits spend, so it runs through the registry like a payment: above the auto limit
only with an approved request, once per idempotency key (the ledger's, derived from the
request's obligation), and the ERP's order number is derived from that key too.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from tools.integrations.outbox import email_tool
from tools.integrations.records import POLineRow, PurchaseOrderRow
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec
from tools.schema import add_once

CREATE_ORDER = "erp.create_purchase_order"
MANAGER_ROLE, FINANCE_ROLE = "procurement_manager", "finance_approver"


class OrderDraft(BaseModel):
    """The purchase order to create: one line, for the request (`request_id`) it fulfils."""

    request_id: str
    vendor_id: str
    cost_centre: str
    description: str = Field(max_length=300)
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal = Field(gt=0)
    amount: Decimal = Field(gt=0)
    currency: str


class OrderCreated(BaseModel):
    po_number: str
    amount: Decimal
    currency: str
    replayed: bool = False


def create_order(engine: Engine, draft: OrderDraft, *, idempotency_key: str) -> OrderCreated:
    """Insert the order unless this key made it already (then return that one)."""
    number = f"PO-{idempotency_key[:10].upper()}"
    line = POLineRow(line_no=1, sku=draft.request_id[:64], **draft.model_dump(include=LINE))
    row = PurchaseOrderRow(number=number, vendor_id=draft.vendor_id, currency=draft.currency)
    row.lines = [line]
    stored, replayed = add_once(engine, row, PurchaseOrderRow.number)
    return OrderCreated(
        po_number=stored.number, amount=draft.amount, currency=draft.currency, replayed=replayed
    )


LINE = {"description", "quantity", "unit_price"}


def procurement_registry(engine: Engine, auto_limit: Decimal) -> ToolRegistry:
    def handler(args: OrderDraft, *, idempotency_key: str) -> OrderCreated:
        return create_order(engine, args, idempotency_key=idempotency_key)

    order = ToolSpec(
        name=CREATE_ORDER,
        description="Create a purchase order in the ERP for an approved purchase request.",
        args_schema=OrderDraft,
        handler=handler,
        side_effect="money",
        policy=ApprovalPolicy.amount_over(auto_limit, role=MANAGER_ROLE),
        result_schema=OrderCreated,
    )
    return ToolRegistry([order, email_tool(engine)])
