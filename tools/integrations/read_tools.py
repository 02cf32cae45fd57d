"""Read-only tools over the system of record: what an LLM verification agent may look up.

They are registered like every other tool (schemas, audit trail) but move nothing, so an
agent that only holds these cannot cause a side effect whatever its input says.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tools.integrations import records
from tools.integrations.matching import best_vendor
from tools.registry import ToolSpec


class VendorQuery(BaseModel):
    name: str = Field(description="Vendor name as printed on the invoice.")


class PurchaseOrderQuery(BaseModel):
    po_number: str = Field(description="Purchase order number, e.g. PO-2026-0101.")


class VendorIdQuery(BaseModel):
    vendor_id: str = Field(description="Vendor id from find_vendor, e.g. V001.")


def read_only_tools(engine: Engine) -> list[ToolSpec]:
    """The lookups verification needs, each answering JSON-able data."""

    def find_vendor(args: VendorQuery) -> dict[str, Any]:
        with Session(engine) as session:
            vendor, score = best_vendor(args.name, records.list_vendors(session))
        if vendor is None:
            return {"found": False, "best_score": round(score, 3)}
        return {"found": True, "score": round(score, 3), **vendor.model_dump(mode="json")}

    def get_purchase_order(args: PurchaseOrderQuery) -> dict[str, Any]:
        with Session(engine) as session:
            po = records.get_purchase_order(session, args.po_number)
            received = records.received_quantities(session, args.po_number) if po else {}
        if po is None:
            return {"found": False}
        return {
            "found": True,
            **po.model_dump(mode="json"),
            "received": {sku: str(quantity) for sku, quantity in received.items()},
        }

    def payment_history(args: VendorIdQuery) -> dict[str, Any]:
        with Session(engine) as session:
            paid = records.paid_invoices(session, args.vendor_id)
        return {
            "paid_invoices": [p.model_dump(mode="json") for p in paid],
            "total_paid": str(sum((p.total for p in paid), Decimal(0))),
        }

    return [
        ToolSpec(
            name="records.find_vendor",
            description="Find a vendor in the vendor master by (fuzzy) name.",
            args_schema=VendorQuery,
            handler=find_vendor,
        ),
        ToolSpec(
            name="records.get_purchase_order",
            description="A purchase order with its lines and the quantities received so far.",
            args_schema=PurchaseOrderQuery,
            handler=get_purchase_order,
        ),
        ToolSpec(
            name="records.payment_history",
            description="Invoices already paid to a vendor.",
            args_schema=VendorIdQuery,
            handler=payment_history,
        ),
    ]
