"""Resume values are facts: each is recorded once, with who gave it and how it was judged.

LangGraph re-runs the approval gateway from its start on every resume and hands it every
earlier resume value again, in order. Judged anew, a replayed value could be stamped with the
*current* resumer's name and a refused edit come back to life (issue 11, item 5: bob's refused
IBAN edit paid as "edit by alice"). So the gateway records each value at its position the
first time it sees it, with the identity authenticated then, and its verdict once judged; a
replay reads the record and never re-attributes or re-judges it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel
from sqlalchemy import JSON, Engine, Integer, String, Text, UniqueConstraint, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.schema import Base, as_utc, utcnow

Verdict = Literal["accepted", "refused"]


class DecisionFactRow(Base):
    __tablename__ = "decision_facts"
    __table_args__ = (UniqueConstraint("request_id", "thread_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(40), index=True)
    thread_id: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[Any] = mapped_column(JSON)
    approver: Mapped[str | None] = mapped_column(String(100))
    verdict: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionFact(BaseModel):
    """One resume value of one request, as first received."""

    id: int
    request_id: str
    position: int
    value: Any
    approver: str | None
    verdict: Verdict | None = None
    reason: str | None = None
    received_at: datetime | None = None


def record(
    engine: Engine,
    *,
    request_id: str,
    thread_id: str,
    position: int,
    value: Any,
    approver: str | None,
) -> DecisionFact:
    """The fact at `position`: recorded now with `approver`, or the one recorded before."""
    if isinstance(value, dict) and approver is not None:
        value = {**value, "approver": approver}
    with Session(engine) as session:
        existing = _find(session, request_id, thread_id, position)
        if existing is not None:
            return _model(existing)
        session.add(
            DecisionFactRow(
                request_id=request_id,
                thread_id=thread_id,
                position=position,
                value=value,
                approver=approver,
            )
        )
        try:
            session.commit()
        except IntegrityError:  # a concurrent replay of the same run recorded it first
            session.rollback()
        stored = _find(session, request_id, thread_id, position)
        assert stored is not None
        return _model(stored)


def judge(engine: Engine, fact: DecisionFact, verdict: Verdict, reason: str | None = None) -> None:
    """Record the verdict once; a later judgement of the same fact changes nothing."""
    with Session(engine) as session, session.begin():
        session.execute(
            sql_update(DecisionFactRow)
            .where(DecisionFactRow.id == fact.id, DecisionFactRow.verdict.is_(None))
            .values(verdict=verdict, reason=reason)
        )


def facts_for(engine: Engine, request_id: str) -> list[DecisionFact]:
    query = (
        select(DecisionFactRow)
        .where(DecisionFactRow.request_id == request_id)
        .order_by(DecisionFactRow.position)
    )
    with Session(engine) as session:
        return [_model(row) for row in session.scalars(query)]


def _find(session: Session, request_id: str, thread_id: str, position: int) -> Any:
    return session.scalar(
        select(DecisionFactRow).where(
            DecisionFactRow.request_id == request_id,
            DecisionFactRow.thread_id == thread_id,
            DecisionFactRow.position == position,
        )
    )


def _model(row: DecisionFactRow) -> DecisionFact:
    return DecisionFact(
        id=row.id,
        request_id=row.request_id,
        position=row.position,
        value=row.value,
        approver=row.approver,
        verdict=cast(Verdict | None, row.verdict),
        reason=row.reason,
        received_at=as_utc(row.received_at),
    )
