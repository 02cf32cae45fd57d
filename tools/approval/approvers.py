"""Approvers and their roles, each role with a limit: who may approve how much.

Kept in the application database so every process (CLI, server, notebook) sees the same
people; managed with `overture users ...` (overture/cli_users.py). A user is never deleted,
only deactivated, so the audit trail keeps naming someone who exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import Boolean, Engine, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.errors import OvertureError
from tools.schema import Base, as_utc, utcnow


class ApproverNotFound(OvertureError):
    """A user management command named a user who was never added."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        super().__init__(f"no user {user_id!r}; add them first with `overture users add {user_id}`")


class ApproverRow(Base):
    __tablename__ = "approvers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApproverRoleRow(Base):
    __tablename__ = "approver_roles"

    approver_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("approvers.id"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(64), primary_key=True)
    # `limit` is reserved in SQL; the amount up to which this role may approve.
    approval_limit: Mapped[Decimal]
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Approver(BaseModel):
    """A user with their roles: role -> the largest amount they may approve in it."""

    id: str
    display_name: str = ""
    active: bool = True
    roles: dict[str, Decimal] = Field(default_factory=dict)
    created_at: datetime | None = None

    def limit_for(self, role: str) -> Decimal | None:
        """The limit of `role`, or None when the user does not hold it (or is inactive)."""
        return self.roles.get(role) if self.active else None


def add_approver(engine: Engine, user_id: str, display_name: str = "") -> Approver:
    """Add a user (or re-activate one); idempotent."""
    with Session(engine) as session, session.begin():
        row = session.get(ApproverRow, user_id)
        if row is None:
            session.add(ApproverRow(id=user_id, display_name=display_name, active=True))
        else:
            row.active = True
            row.display_name = display_name or row.display_name
    return _require(engine, user_id)


def grant(engine: Engine, user_id: str, role: str, limit: Decimal) -> Approver:
    """Give `user_id` the role `role` with `limit`, replacing an earlier limit."""
    with Session(engine) as session, session.begin():
        if session.get(ApproverRow, user_id) is None:
            raise ApproverNotFound(user_id)
        row = session.get(ApproverRoleRow, (user_id, role))
        if row is None:
            session.add(ApproverRoleRow(approver_id=user_id, role=role, approval_limit=limit))
        else:
            row.approval_limit = limit
            row.granted_at = utcnow()
    return _require(engine, user_id)


def revoke(engine: Engine, user_id: str, role: str | None = None) -> Approver:
    """Take `role` from the user, or deactivate the user entirely when `role` is None."""
    with Session(engine) as session, session.begin():
        row = session.get(ApproverRow, user_id)
        if row is None:
            raise ApproverNotFound(user_id)
        if role is None:
            row.active = False
        else:
            session.execute(
                delete(ApproverRoleRow).where(
                    ApproverRoleRow.approver_id == user_id, ApproverRoleRow.role == role
                )
            )
    return _require(engine, user_id)


def get_approver(engine: Engine, user_id: str) -> Approver | None:
    with Session(engine) as session:
        row = session.get(ApproverRow, user_id)
        if row is None:
            return None
        roles = session.scalars(
            select(ApproverRoleRow).where(ApproverRoleRow.approver_id == user_id)
        ).all()
        return _model(row, roles)


def list_approvers(engine: Engine) -> list[Approver]:
    with Session(engine) as session:
        rows = session.scalars(select(ApproverRow).order_by(ApproverRow.id)).all()
        roles = session.scalars(select(ApproverRoleRow)).all()
        return [_model(row, [r for r in roles if r.approver_id == row.id]) for row in rows]


def _require(engine: Engine, user_id: str) -> Approver:
    approver = get_approver(engine, user_id)
    if approver is None:
        raise ApproverNotFound(user_id)
    return approver


def _model(row: ApproverRow, roles: Sequence[ApproverRoleRow]) -> Approver:
    return Approver(
        id=row.id,
        display_name=row.display_name,
        active=row.active,
        roles={r.role: r.approval_limit for r in roles},
        created_at=as_utc(row.created_at),
    )
