"""The runs a process started, written before the graph takes its first step.

A run SIGKILLed before its first checkpoint leaves nothing in the checkpointer, and one killed
later leaves a thread nobody remembers (issue 11: nine runs with no final state after a kill
loop, and `overture run` printed thread ids only at the end). This log names every run the
moment it starts, with the process that runs it, so `overture recover` finds the ones whose
process is gone and resumes them from their checkpoint, or starts them again from their input.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tools.schema import Base, as_utc, utcnow

RunStatus = Literal["running", "finished"]


class RunRow(Base):
    __tablename__ = "overture_runs"

    thread_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(64))
    document_path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RunEntry(BaseModel):
    thread_id: str
    workflow: str
    document_path: str
    status: RunStatus
    outcome: str | None = None
    host: str
    pid: int
    started_at: datetime | None = None

    def process_alive(self) -> bool:
        """Whether the process that started the run still exists (only knowable on its host)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def started(engine: Engine, thread_id: str, document_path: str, workflow: str) -> None:
    """Record that this process starts `thread_id` (again, when recovering it)."""
    now = utcnow()
    with Session(engine) as session:
        row = session.get(RunRow, thread_id)
        if row is None:
            row = RunRow(thread_id=thread_id, workflow=workflow, started_at=now)
            session.add(row)
        row.document_path = document_path
        row.status, row.outcome = "running", None
        row.host, row.pid, row.updated_at = socket.gethostname(), os.getpid(), now
        session.commit()


def finished(engine: Engine, thread_id: str, outcome: str) -> None:
    """The run reached a final state or waits for a human (`awaiting_approval`)."""
    with Session(engine) as session:
        row = session.get(RunRow, thread_id)
        if row is not None:
            row.status, row.outcome, row.updated_at = "finished", outcome, utcnow()
            session.commit()


def unfinished(engine: Engine) -> list[RunEntry]:
    """Runs recorded as running, oldest first (their process may be alive or gone)."""
    query = select(RunRow).where(RunRow.status == "running").order_by(RunRow.started_at)
    with Session(engine) as session:
        return [_entry(row) for row in session.scalars(query)]


def get(engine: Engine, thread_id: str) -> RunEntry | None:
    with Session(engine) as session:
        row = session.get(RunRow, thread_id)
        return _entry(row) if row else None


def _entry(row: RunRow) -> RunEntry:
    return RunEntry(
        thread_id=row.thread_id,
        workflow=row.workflow,
        document_path=row.document_path,
        status=row.status,
        outcome=row.outcome,
        host=row.host,
        pid=row.pid,
        started_at=as_utc(row.started_at),
    )
