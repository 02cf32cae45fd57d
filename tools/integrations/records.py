"""The system of record (the ERP side of accounts payable) as SQLAlchemy 2 ORM models.

Vendors with bank details, purchase orders and their lines, goods receipts and their lines,
invoices (the paid ones are the basis of duplicate detection) and payments made through the
payments tool. Reads return the Pydantic models of `overture.domain`, so agents never hold a
live ORM object across a checkpoint.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.domain import PaidInvoice, POLine, PurchaseOrder, Vendor
from tools.schema import Base, Quantity, utcnow


class VendorRow(Base):
    """A vendor master record: the only accounts a payment may go to without a human."""

    __tablename__ = "vendors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    iban: Mapped[str] = mapped_column(String(64))
    bic: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")

    def to_domain(self) -> Vendor:
        return Vendor(
            id=self.id,
            name=self.name,
            aliases=list(self.aliases or []),
            iban=self.iban,
            bic=self.bic,
            country=self.country,
            currency=self.currency,
        )


class PurchaseOrderRow(Base):
    __tablename__ = "purchase_orders"

    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendors.id"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    lines: Mapped[list[POLineRow]] = relationship(
        order_by="POLineRow.line_no", cascade="all, delete-orphan"
    )

    def to_domain(self) -> PurchaseOrder:
        return PurchaseOrder(
            number=self.number,
            vendor_id=self.vendor_id,
            currency=self.currency,
            lines=[
                POLine(
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                )
                for line in self.lines
            ],
        )


class POLineRow(Base):
    __tablename__ = "po_lines"
    __table_args__ = (UniqueConstraint("po_number", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    po_number: Mapped[str] = mapped_column(ForeignKey("purchase_orders.number"))
    line_no: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal]


class GoodsReceiptRow(Base):
    __tablename__ = "goods_receipts"

    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    po_number: Mapped[str] = mapped_column(ForeignKey("purchase_orders.number"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    lines: Mapped[list[ReceiptLineRow]] = relationship(
        order_by="ReceiptLineRow.line_no", cascade="all, delete-orphan"
    )


class ReceiptLineRow(Base):
    __tablename__ = "receipt_lines"
    __table_args__ = (UniqueConstraint("receipt_number", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    receipt_number: Mapped[str] = mapped_column(ForeignKey("goods_receipts.number"))
    line_no: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    quantity_received: Mapped[Decimal] = mapped_column(Quantity)


class InvoiceRow(Base):
    """An invoice the books know about; `status == "paid"` ones are checked for duplicates."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("vendor_id", "invoice_number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendors.id"))
    invoice_number: Mapped[str] = mapped_column(String(64))
    invoice_date: Mapped[date | None] = mapped_column(Date)
    total: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(16), default="paid")
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(128), default="seed")


class PaymentRow(Base):
    """A payment made by the (fake) external payment API; one per idempotency key."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    vendor_id: Mapped[str] = mapped_column(String(32))
    payee_iban: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    invoice_number: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- reads used by verification --------------------------------------------------------


def list_vendors(session: Session) -> list[Vendor]:
    """Every vendor master record (a few thousand at most; fuzzy matching needs them all)."""
    return [row.to_domain() for row in session.scalars(select(VendorRow).order_by(VendorRow.id))]


def get_vendor(session: Session, vendor_id: str) -> Vendor | None:
    row = session.get(VendorRow, vendor_id)
    return row.to_domain() if row else None


def get_purchase_order(session: Session, number: str) -> PurchaseOrder | None:
    row = session.get(PurchaseOrderRow, number)
    return row.to_domain() if row else None


def received_quantities(session: Session, po_number: str) -> dict[str, Decimal]:
    """SKU -> quantity received over every goods receipt of the PO."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    query = (
        select(ReceiptLineRow.sku, ReceiptLineRow.quantity_received)
        .join(GoodsReceiptRow, GoodsReceiptRow.number == ReceiptLineRow.receipt_number)
        .where(GoodsReceiptRow.po_number == po_number)
    )
    for sku, quantity in session.execute(query):
        totals[sku] += quantity
    return dict(totals)


class PaidInvoiceRecord(PaidInvoice):
    """A paid invoice as the books hold it, with its invoice date when known."""

    invoice_date: date | None = None


def paid_invoices(session: Session, vendor_id: str) -> list[PaidInvoiceRecord]:
    query = select(InvoiceRow).where(InvoiceRow.vendor_id == vendor_id, InvoiceRow.status == "paid")
    return [
        PaidInvoiceRecord(
            vendor_id=row.vendor_id,
            invoice_number=row.invoice_number,
            total=row.total,
            currency=row.currency,
            paid_on=row.paid_on or row.invoice_date or date.min,
            invoice_date=row.invoice_date,
        )
        for row in session.scalars(query)
    ]


# --- writes used by execution ----------------------------------------------------------


def mark_invoice_paid(
    session: Session,
    *,
    vendor_id: str,
    invoice_number: str,
    invoice_date: date | None,
    total: Decimal,
    currency: str,
    payment_id: str,
    source: str,
) -> None:
    """Record the invoice as paid; a second call for the same payment changes nothing."""
    row = session.scalar(
        select(InvoiceRow).where(
            InvoiceRow.vendor_id == vendor_id, InvoiceRow.invoice_number == invoice_number
        )
    )
    if row is None:
        row = InvoiceRow(vendor_id=vendor_id, invoice_number=invoice_number)
        session.add(row)
    row.invoice_date = invoice_date
    row.total = total
    row.currency = currency
    row.status = "paid"
    row.paid_on = row.paid_on or utcnow().date()
    row.payment_id = payment_id
    row.source = source
