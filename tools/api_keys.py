"""API keys: the bearer tokens the LangGraph server authenticates users with.

A token belongs to one user of the approvers table (tools/approval/approvers.py), so the server
knows who calls and what they may approve. Only the SHA-256 of a token is stored: a leaked database
does not leak working credentials, and the 256-bit random token needs no slow hash (there is nothing
to brute-force, unlike a password). The plain token is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, Engine, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.approval.approvers import Approver, ApproverNotFound, ApproverRow, get_approver
from tools.schema import Base, as_utc, utcnow

TOKEN_PREFIX = "ovt_"
"""Marks an Overture token in logs and secret scanners; part of the hashed value."""


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), ForeignKey("approvers.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiKey(BaseModel):
    """A token's record (never the token itself): who it authenticates, and whether revoked."""

    id: str
    user_id: str
    label: str = ""
    created_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, user_id: str, label: str = "") -> tuple[ApiKey, str]:
    """A new token for an existing user: its record and the plain token (shown only now)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key_id = "key-" + secrets.token_hex(6)
    with Session(engine) as session, session.begin():
        if session.get(ApproverRow, user_id) is None:
            raise ApproverNotFound(user_id)
        row = ApiKeyRow(id=key_id, user_id=user_id, token_sha256=token_hash(token), label=label)
        session.add(row)
        session.flush()
        key = _model(row)
    return key, token


def list_tokens(engine: Engine, user_id: str | None = None) -> list[ApiKey]:
    """Token records, oldest first; of one user when `user_id` is given."""
    query = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
    if user_id is not None:
        query = query.where(ApiKeyRow.user_id == user_id)
    with Session(engine) as session:
        return [_model(row) for row in session.scalars(query)]


def revoke_token(engine: Engine, key_id: str) -> bool:
    """Revoke a token by its id; False if no active token has that id."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        # Session.execute is typed as returning Result, but an UPDATE yields a CursorResult
        # (the one with rowcount), as SQLAlchemy's DML docs say.
        return cast(CursorResult[Any], result).rowcount == 1


def authenticate(engine: Engine, token: str) -> Approver | None:
    """The active user an active token belongs to, or None (unknown, revoked, inactive)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with Session(engine) as session:
        user_id = session.scalar(
            select(ApiKeyRow.user_id).where(
                ApiKeyRow.token_sha256 == token_hash(token), ApiKeyRow.revoked_at.is_(None)
            )
        )
    if user_id is None:
        return None
    user = get_approver(engine, user_id)
    return user if user is not None and user.active else None


def _model(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        user_id=row.user_id,
        label=row.label,
        created_at=as_utc(row.created_at),
        revoked_at=as_utc(row.revoked_at),
    )
