"""The execution ledger: every side-effecting tool call runs at most once per idempotency key.

LangGraph re-runs an interrupted node from its start, and a crash between a side effect and the next
checkpoint replays the step on resume. The ledger makes that harmless: the key is derived from
(thread, node, tool, canonical arguments), so a replay finds the row of the first attempt. A
`succeeded` row returns its recorded result without calling again; a `pending` row (its process died
mid-call) or a `failed` one is called again *with the same key*, which the external API honours
(tools/integrations/payments.py), so the effect still happens once.

Concurrency: a unique key makes the row exist once; while a call runs its row is locked
(`SELECT ... FOR UPDATE` on PostgreSQL and MariaDB, a file lock on SQLite: tools/locks.py),
so a racing caller waits and then sees `succeeded`. Both locks die with their holder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Connection, Engine, Integer, String, Text, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from tools.canonical import sha256_hex
from tools.crashpoints import crash_point
from tools.locks import hold
from tools.schema import Base, as_utc, utcnow

LedgerStatus = Literal["pending", "succeeded", "failed"]
_INSERT_RETRIES = 5


class LedgerRow(Base):
    __tablename__ = "tool_ledger"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(128), index=True)
    node: Mapped[str] = mapped_column(String(100))
    tool: Mapped[str] = mapped_column(String(100))
    payload_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(BaseModel):
    """One side-effecting call as the ledger knows it."""

    key: str
    thread_id: str
    node: str
    tool: str
    payload_hash: str
    status: LedgerStatus
    attempts: int
    result: Any = None
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class LedgerOutcome(BaseModel):
    """What `run_once` answers: the result (JSON form) and whether it was recorded earlier."""

    key: str
    result: Any
    replayed: bool
    attempts: int


def idempotency_key(thread_id: str, node: str, tool: str, arguments: dict[str, Any]) -> str:
    """The key of a call: the same thread, node, tool and arguments always give the same key."""
    return sha256_hex({"thread": thread_id, "node": node, "tool": tool, "arguments": arguments})


def obligation_key(obligation: str, tool: str) -> str:
    """The key of a call that fulfils a business obligation (tools/obligations.py): the same
    for every thread, process and replica that fulfils it, so the effect happens once."""
    return sha256_hex({"obligation": obligation, "tool": tool})


def to_json(value: Any) -> Any:
    """The JSON form the ledger records: models dumped, decimals and dates as strings."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value, default=str))


class ExecutionLedger:
    """Runs side-effecting calls once per key, on one engine (the application database)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run_once(
        self,
        *,
        key: str,
        thread_id: str,
        node: str,
        tool: str,
        payload_hash: str,
        call: Callable[[], Any],
    ) -> LedgerOutcome:
        """Call `call()` unless `key` already succeeded; record pending -> succeeded/failed.

        Exceptions from `call` are recorded (status `failed`) and re-raised; a later attempt
        with the same key calls again.
        """
        done = self._insert_pending(key, thread_id, node, tool, payload_hash)
        if done is not None:  # a succeeded row never changes: no lock needed to replay it
            return done
        crash_point("ledger.after_pending")
        with self._locked(key) as connection:
            row = connection.execute(self._select(key)).one()
            crash_point("ledger.after_lock")
            if row.status == "succeeded":
                return LedgerOutcome(
                    key=key, result=row.result, replayed=True, attempts=row.attempts
                )
            attempts = row.attempts + 1
            connection.execute(
                update(LedgerRow)
                .where(LedgerRow.key == key)
                .values(status="pending", attempts=attempts, updated_at=utcnow())
            )
            self._commit_if_sqlite(connection)
            failure: BaseException | None = None
            crash_point("ledger.before_call")
            try:
                result = to_json(call())
                crash_point("ledger.after_call")
            except Exception as error:  # noqa: BLE001 - recorded, then re-raised below
                failure, result = error, None
            connection.execute(
                update(LedgerRow)
                .where(LedgerRow.key == key)
                .values(
                    status="failed" if failure else "succeeded",
                    result=result,
                    error=f"{type(failure).__name__}: {failure}" if failure else None,
                    updated_at=utcnow(),
                )
            )
        crash_point("ledger.after_record")
        if failure is not None:
            raise failure
        return LedgerOutcome(key=key, result=result, replayed=False, attempts=attempts)

    def get(self, key: str) -> LedgerEntry | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(LedgerRow).where(LedgerRow.key == key)).first()
        return _entry(row) if row else None

    def entries(self, thread_id: str | None = None) -> list[LedgerEntry]:
        """Ledger rows, oldest first, optionally of one thread."""
        query = select(LedgerRow).order_by(LedgerRow.created_at)
        if thread_id is not None:
            query = query.where(LedgerRow.thread_id == thread_id)
        with self.engine.connect() as connection:
            return [_entry(row) for row in connection.execute(query)]

    # -- internals -------------------------------------------------------------------------

    def _select(self, key: str) -> Any:
        query = select(LedgerRow.status, LedgerRow.attempts, LedgerRow.result).where(
            LedgerRow.key == key
        )
        return query if self.engine.dialect.name == "sqlite" else query.with_for_update()

    def _insert_pending(
        self, key: str, thread_id: str, node: str, tool: str, payload_hash: str
    ) -> LedgerOutcome | None:
        """Make the row exist; a concurrent insert of the same key is not an error.

        Returns the recorded outcome when the row found has already succeeded (a replay),
        so the caller skips the lock and the second read (a succeeded row is final).
        """
        now = utcnow()
        for attempt in range(_INSERT_RETRIES):
            try:
                with self.engine.begin() as connection:
                    row = connection.execute(
                        select(LedgerRow.status, LedgerRow.attempts, LedgerRow.result).where(
                            LedgerRow.key == key
                        )
                    ).first()
                    if row is not None:
                        if row.status != "succeeded":
                            return None
                        return LedgerOutcome(
                            key=key, result=row.result, replayed=True, attempts=row.attempts
                        )
                    connection.execute(
                        insert(LedgerRow).values(
                            key=key,
                            thread_id=thread_id,
                            node=node,
                            tool=tool,
                            payload_hash=payload_hash,
                            status="pending",
                            attempts=0,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                return None
            except IntegrityError:
                return None
            except OperationalError:  # InnoDB may pick a racing insert as deadlock victim
                if attempt == _INSERT_RETRIES - 1:
                    raise
        return None

    @contextmanager
    def _locked(self, key: str) -> Iterator[Connection]:
        """A connection in a transaction that owns the row of `key` until the block ends."""
        if self.engine.dialect.name == "sqlite":
            # No row locks: a file lock serialises holders; short transactions inside it so
            # the tool itself (which writes to the same file) is never blocked by us.
            with hold(self.engine, f"ledger:{key}"), self.engine.connect() as connection:
                yield connection
                connection.commit()
            return
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def _commit_if_sqlite(self, connection: Connection) -> None:
        if self.engine.dialect.name == "sqlite":
            connection.commit()


def _entry(row: Any) -> LedgerEntry:
    entry = LedgerEntry.model_validate(row, from_attributes=True)
    entry.created_at = as_utc(entry.created_at)
    entry.updated_at = as_utc(entry.updated_at)
    return entry
