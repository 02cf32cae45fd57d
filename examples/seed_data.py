"""Build the system-of-record seed (`examples/seed/system_of_record.json`) from the catalog."""

from __future__ import annotations

from core.domain import (
    GoodsReceipt,
    PaidInvoice,
    POLine,
    PurchaseOrder,
    ReceiptLine,
    SystemOfRecordSeed,
    Vendor,
)
from examples.catalog import KNOWN_VENDORS
from examples.samples import ORDERS, PAID


def build_seed() -> SystemOfRecordSeed:
    """Vendors, POs, full receipts for every received PO, and the paid-invoice history."""
    vendors = [
        Vendor(
            id=p.vendor_id or "",
            name=p.name,
            aliases=list(p.aliases),
            iban=p.iban,
            bic=p.bic,
            country=p.country,
        )
        for p in KNOWN_VENDORS
    ]
    orders, receipts = [], []
    for i, order in enumerate(ORDERS):
        assert order.vendor.vendor_id, order.number
        orders.append(
            PurchaseOrder(
                number=order.number,
                vendor_id=order.vendor.vendor_id,
                lines=[
                    POLine(
                        sku=x.sku,
                        description=x.description,
                        quantity=x.quantity,
                        unit_price=x.unit_price,
                    )
                    for x in order.lines
                ],
            )
        )
        if order.received_on is not None:
            receipts.append(
                GoodsReceipt(
                    number=f"GR-2026-{101 + i:04d}",
                    po_number=order.number,
                    received_on=order.received_on,
                    lines=[
                        ReceiptLine(sku=x.sku, quantity_received=x.quantity) for x in order.lines
                    ],
                )
            )
    paid = [PaidInvoice(vendor_id=v, invoice_number=n, total=t, paid_on=d) for v, n, t, d in PAID]
    return SystemOfRecordSeed(
        vendors=vendors, purchase_orders=orders, goods_receipts=receipts, paid_invoices=paid
    )
