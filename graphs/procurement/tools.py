"""The procurement tools: a purchase order in the ERP, and the requester's e-mail.

An order commits spend, so it runs through the registry like a payment: above the auto limit
only with an approved request, once per idempotency key (the ledger's, derived from the
request's obligation), and the ERP's order number is derived from that key too.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from pydantic import Field
from sqlalchemy import Engine

from core.domain import POLine, PurchaseOrder
from graphs.procurement.state import PurchaseRequest
from tools.integrations.outbox import email_tool
from tools.integrations.records import POLineRow, PurchaseOrderRow
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec
from tools.schema import add_once

CREATE_ORDER = "erp.create_purchase_order"
MANAGER_ROLE, FINANCE_ROLE = "procurement_manager", "finance_approver"


class OrderDraft(PurchaseRequest):
    """The purchase order to create, for the request (`request_id`, its obligation) it fulfils."""

    request_id: str = Field(max_length=64)


LINE = {"description", "quantity", "unit_price"}


def create_order(engine: Engine, draft: OrderDraft, *, idempotency_key: str) -> PurchaseOrder:
    """Insert the order unless this key made it already; its number is the key's."""
    line = POLine(sku=draft.request_id, **draft.model_dump(include=LINE))
    order = PurchaseOrder(
        number=f"PO-{idempotency_key[:16].upper()}", vendor_id=draft.vendor_id, lines=[line]
    )
    row = PurchaseOrderRow(number=order.number, vendor_id=order.vendor_id, currency=draft.currency)
    row.lines = [POLineRow(line_no=1, **line.model_dump())]
    add_once(engine, row, PurchaseOrderRow.number)
    return order.model_copy(update={"currency": draft.currency})


def procurement_registry(engine: Engine, auto_limit: Decimal) -> ToolRegistry:
    order = ToolSpec(
        name=CREATE_ORDER,
        description="Create a purchase order in the ERP for an approved purchase request.",
        args_schema=OrderDraft,
        handler=partial(create_order, engine),
        side_effect="money",
        policy=ApprovalPolicy.amount_over(auto_limit, role=MANAGER_ROLE),
        result_schema=PurchaseOrder,
    )
    return ToolRegistry([order, email_tool(engine)])
