"""The one SQLAlchemy `Base` whose metadata Alembic migrates: every application table hangs here.

Checkpointer and store tables are not in it: they create their own in `setup()`, as
LangGraph's savers do (DESIGN.md). A naming convention makes constraint names identical on
SQLite, PostgreSQL and MariaDB, so migrations can drop or alter them by name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, Numeric, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money: 18 digits, 2 decimals, exact (`Numeric`, never float) on every dialect.
Money = Numeric(18, 2, asdecimal=True)
# Quantities may be fractional (hours, kilograms).
Quantity = Numeric(18, 4, asdecimal=True)


_Row = TypeVar("_Row", bound="Base")


class Base(DeclarativeBase):
    """Declarative base for every Overture application table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        Decimal: Money,
        dict[str, Any]: JSON,
        list[Any]: JSON,
        # Timezone-aware everywhere; MariaDB stores naive UTC and we re-attach UTC on read.
        datetime: DateTime(timezone=True),
    }


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware: the one clock every table uses."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Re-attach UTC to a naive timestamp read back from SQLite or MariaDB."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def add_once(engine: Engine, row: _Row, key: InstrumentedAttribute[str]) -> tuple[_Row, bool]:
    """Insert `row` unless a row with the same unique `key` exists (insert-or-get).

    Returns the stored row and whether it was there already; a concurrent insert of the same
    key (the unique constraint refuses ours) returns the winner's row.
    """
    query = select(type(row)).where(key == getattr(row, key.key))
    with Session(engine, expire_on_commit=False) as session:
        if (existing := session.scalar(query)) is not None:
            return existing, True
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = session.scalar(query)
            assert existing is not None
            return existing, True
        return row, False
