"""Bank-detail changes of the vendor master: proposed by one person, confirmed by another.

Redirecting a vendor's payments is the classic accounts-payable fraud, so it is never an
approval edit (an approver once paid a full invoice to an IBAN typed on the command line,
issue 11 item 6). It is a change of the vendor master with its own control: one authenticated
user proposes the new IBAN (validated by schwifty: structure, country length, checksum), a
different one confirms it, and both are recorded in the change and in the audit trail.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import Engine, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.domain import Vendor
from tools import audit_trail
from tools.approval.approvers import get_approver
from tools.audit_trail import AuditEvent
from tools.integrations.errors import BankChangeRefused, InvalidIban
from tools.integrations.records import VendorRow
from tools.schema import Base, as_utc, utcnow

ChangeStatus = Literal["proposed", "applied"]


class BankChangeRow(Base):
    __tablename__ = "vendor_bank_changes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(String(32), index=True)
    old_iban: Mapped[str] = mapped_column(String(64))
    new_iban: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None]


class BankChange(BaseModel):
    id: str
    vendor_id: str
    old_iban: str
    new_iban: str
    status: ChangeStatus
    proposed_by: str
    proposed_at: datetime | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None


def valid_iban(value: str) -> str:
    """The compact IBAN, or `InvalidIban` saying what is wrong with it."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as error:
        raise InvalidIban(value, str(error)) from error


def propose(engine: Engine, vendor_id: str, new_iban: str, proposed_by: str) -> BankChange:
    """Record a proposed IBAN for `vendor_id`; nothing changes until someone else confirms."""
    iban = valid_iban(new_iban)
    _require_user(engine, proposed_by)
    with Session(engine, expire_on_commit=False) as session:
        vendor = session.get(VendorRow, vendor_id)
        if vendor is None:
            raise BankChangeRefused(vendor_id, "no such vendor in the vendor master")
        row = BankChangeRow(
            id=f"bcr-{uuid.uuid4().hex[:12]}",
            vendor_id=vendor_id,
            old_iban=vendor.iban,
            new_iban=iban,
            status="proposed",
            proposed_by=proposed_by,
        )
        session.add(row)
        session.commit()
    _audit(engine, row, "proposed", proposed_by)
    return _model(row)


def onboard(engine: Engine, vendor: Vendor, by: str) -> Vendor:
    """Add a vendor to the master (an AP clerk's job, audited); its IBAN validated. Later
    bank-detail changes need two people (`propose` + `confirm`)."""
    _require_user(engine, by)
    iban = valid_iban(vendor.iban)
    with Session(engine) as session, session.begin():
        if session.get(VendorRow, vendor.id) is not None:
            raise BankChangeRefused(vendor.id, "a vendor with this id exists already")
        session.add(
            VendorRow(
                id=vendor.id,
                name=vendor.name,
                aliases=vendor.aliases,
                iban=iban,
                bic=vendor.bic,
                country=vendor.country,
                currency=vendor.currency,
            )
        )
    audit_trail.record(
        engine,
        AuditEvent(
            event="vendor_change",
            tool="vendors.onboard",
            actor=by,
            code="onboarded",
            comment=f"vendor {vendor.id} ({vendor.name}) added to the vendor master",
            detail={"vendor_id": vendor.id},
        ),
    )
    return vendor.model_copy(update={"iban": iban})


def confirm(engine: Engine, change_id: str, confirmed_by: str) -> BankChange:
    """Apply a proposed change; only a different, registered, active user may confirm it."""
    _require_user(engine, confirmed_by)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = session.get(BankChangeRow, change_id)
        if row is None:
            raise BankChangeRefused(change_id, "no such change; list them with `overture vendors`")
        if row.status != "proposed":
            raise BankChangeRefused(change_id, f"already {row.status} by {row.confirmed_by}")
        if row.proposed_by == confirmed_by:
            raise BankChangeRefused(
                change_id, f"{confirmed_by} proposed it; a different person must confirm it"
            )
        vendor = session.get(VendorRow, row.vendor_id)
        assert vendor is not None
        if vendor.iban != row.old_iban:
            raise BankChangeRefused(
                change_id, "the vendor's IBAN changed since it was proposed; propose it anew"
            )
        vendor.iban = row.new_iban
        row.status, row.confirmed_by, row.confirmed_at = "applied", confirmed_by, utcnow()
    _audit(engine, row, "applied", confirmed_by)
    return _model(row)


def list_changes(engine: Engine, vendor_id: str | None = None) -> list[BankChange]:
    query = select(BankChangeRow).order_by(BankChangeRow.proposed_at)
    if vendor_id is not None:
        query = query.where(BankChangeRow.vendor_id == vendor_id)
    with Session(engine) as session:
        return [_model(row) for row in session.scalars(query)]


def _require_user(engine: Engine, user_id: str) -> None:
    user = get_approver(engine, user_id)
    if user is None or not user.active:
        raise BankChangeRefused(user_id, "not a registered, active user (`overture users add`)")


def _audit(engine: Engine, row: BankChangeRow, what: str, actor: str) -> None:
    audit_trail.record(
        engine,
        AuditEvent(
            event="vendor_change",
            tool="vendors.bank_details",
            actor=actor,
            code=what,
            comment=f"vendor {row.vendor_id}: IBAN change {row.id} {what}",
            detail={"change_id": row.id, "vendor_id": row.vendor_id},
        ),
    )


def _model(row: BankChangeRow) -> BankChange:
    return BankChange(
        id=row.id,
        vendor_id=row.vendor_id,
        old_iban=row.old_iban,
        new_iban=row.new_iban,
        status=row.status,
        proposed_by=row.proposed_by,
        proposed_at=as_utc(row.proposed_at),
        confirmed_by=row.confirmed_by,
        confirmed_at=as_utc(row.confirmed_at),
    )
