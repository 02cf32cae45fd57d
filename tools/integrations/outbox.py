"""The notification API, faked in SQL: an outbox of e-mails, one per idempotency key.

Like the payment API it deduplicates on the key the execution ledger passes, so a resumed
supervisor never sends a summary twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import Engine, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.registry import ApprovalPolicy, ToolSpec
from tools.schema import Base, add_once, as_utc, utcnow

TOOL_NAME = "notify.send_email"


class OutboxRow(Base):
    """An e-mail handed to the mail system."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Email(BaseModel):
    """An e-mail to a person inside the company (summaries, notices); never to a vendor."""

    to: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="Recipient address.")
    subject: str = Field(max_length=200)
    body: str


class SentEmail(BaseModel):
    message_id: str
    idempotency_key: str
    email: Email
    created_at: datetime
    replayed: bool = False


def send_email(engine: Engine, email: Email, *, idempotency_key: str) -> SentEmail:
    """Queue `email` once per key; a repeated key returns the first message, sends nothing."""
    row = OutboxRow(
        id=uuid.uuid4().hex,
        idempotency_key=idempotency_key,
        recipient=email.to,
        subject=email.subject,
        body=email.body,
    )
    stored, replayed = add_once(engine, row, OutboxRow.idempotency_key)
    return _sent(stored, replayed=replayed)


def sent_emails(engine: Engine) -> list[SentEmail]:
    with Session(engine) as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.created_at)).all()
        return [_sent(row, replayed=False) for row in rows]


def _sent(row: OutboxRow, *, replayed: bool) -> SentEmail:
    return SentEmail(
        message_id=row.id,
        idempotency_key=row.idempotency_key,
        email=Email(to=row.recipient, subject=row.subject, body=row.body),
        created_at=as_utc(row.created_at) or utcnow(),
        replayed=replayed,
    )


def email_tool(engine: Engine) -> ToolSpec:
    """Internal e-mail: a write, ledgered, with no approval (it moves no money)."""

    def handler(args: Email, *, idempotency_key: str) -> SentEmail:
        return send_email(engine, args, idempotency_key=idempotency_key)

    return ToolSpec(
        name=TOOL_NAME,
        description="Send an internal e-mail (summaries and notices to colleagues).",
        args_schema=Email,
        handler=handler,
        side_effect="write",
        policy=ApprovalPolicy.never(),
        result_schema=SentEmail,
    )
