"""Tables of the long-term store, its append-only migrations, and the change-version row.

Design (why it looks like this):
- `store_namespaces` gives each namespace a small integer id in order of first write. Items
  are listed in (namespace id, item id) order, which is InMemoryStore's dict order, without
  ordering by strings (PostgreSQL and MariaDB collations disagree about punctuation and case).
- `store_items.id` and `store_vectors.id` never get reused (SQLite AUTOINCREMENT; InnoDB keeps
  its counter), so a vector id names one vector forever and FAISS can use it as its label.
- `store_version` is one row bumped as the first statement of every write transaction. Its row
  lock serialises writers, so versions commit in order: a reader that sees version V knows
  every change <= V is committed and can catch up with `version > last AND version <= V`
  (a plain autoincrement log would let an earlier id commit after a later one and be missed).
- Deleted or replaced vectors leave a tombstone (vector id, version), the only way another
  process's index learns about a removal without rescanning the table.
- Times are epoch seconds in DOUBLE columns: comparable in SQL on every dialect, no timezone
  handling differences between SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

_T = TypeVar("_T")
metadata = sa.MetaData()

# SQLite only makes INTEGER PRIMARY KEY an autoincrementing rowid alias.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_BLOB = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
# Binary collation on MariaDB/MySQL: keys "A" and "a" are different items, as in Python.
# Typed Any like Table's **kw: as dict[str, object], mypy matches them against Table's named
# keyword parameters (schema, quote, ...) and finds no overload.
_TABLE_ARGS: dict[str, Any] = {
    "sqlite_autoincrement": True,
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
}
KEY_LENGTH = 512
IN_CHUNK = 500
"""Most ids or keys put in one `IN (...)` list, far below every backend's parameter limit."""

# Not `store_migrations`: LangGraph's PostgresStore (Aegra's) keeps its versions in a table of
# that name and the same shape, and each would take the other's versions for its own.
LEGACY_MIGRATIONS_TABLE = "store_migrations"
migrations_table = sa.Table(
    "overture_store_migrations",
    metadata,
    sa.Column("v", sa.Integer, primary_key=True, autoincrement=False),
)

namespaces = sa.Table(
    "store_namespaces",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("prefix", sa.String(KEY_LENGTH), nullable=False, unique=True),
    **_TABLE_ARGS,
)

items = sa.Table(
    "store_items",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("ns_id", sa.BigInteger, sa.ForeignKey("store_namespaces.id"), nullable=False),
    sa.Column("key", sa.String(KEY_LENGTH), nullable=False),
    sa.Column("value", _TEXT, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=True, index=True),
    sa.Column("ttl_minutes", sa.Double, nullable=True),
    sa.UniqueConstraint("ns_id", "key", name="uq_store_items_ns_key"),
    **_TABLE_ARGS,
)

vectors = sa.Table(
    "store_vectors",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.BigInteger, nullable=False),
    sa.Column("ns_id", sa.BigInteger, nullable=False),
    sa.Column("field", sa.String(KEY_LENGTH), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, index=True),
    sa.Column("embedding", _BLOB, nullable=False),
    sa.UniqueConstraint("item_id", "field", name="uq_store_vectors_item_field"),
    **_TABLE_ARGS,
)

tombstones = sa.Table(
    "store_tombstones",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("vector_id", sa.BigInteger, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, index=True),
    **_TABLE_ARGS,
)

version_table = sa.Table(
    "store_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)


def _v1_create_tables(conn: Connection) -> None:
    for table in (namespaces, items, vectors, tombstones, version_table):
        table.create(conn, checkfirst=True)
    if conn.execute(sa.select(version_table.c.id)).first() is None:
        conn.execute(version_table.insert().values(id=1, version=0))


# Append-only: the index in this list is the schema version (as langgraph's savers do).
MIGRATIONS: list[Callable[[Connection], None]] = [_v1_create_tables]


def setup_schema(engine: Engine) -> None:
    """Create or upgrade the store's tables; safe to call from every process at start-up."""
    with engine.begin() as conn:
        _drop_legacy_migrations_table(conn)
        migrations_table.create(conn, checkfirst=True)
        done = {row.v for row in conn.execute(sa.select(migrations_table.c.v))}
    for number, migrate in enumerate(MIGRATIONS, start=1):
        if number in done:
            continue
        try:
            with engine.begin() as conn:
                migrate(conn)
                conn.execute(migrations_table.insert().values(v=number))
        except IntegrityError:
            continue  # another process applied it at the same moment


def _drop_legacy_migrations_table(conn: Connection) -> None:
    """Drop the versions table this store used before `overture_store_migrations` (its only
    migration creates tables if missing, so it simply runs again); one that sits beside
    LangGraph's `store` table is LangGraph's and stays."""
    tables = set(sa.inspect(conn).get_table_names())
    if LEGACY_MIGRATIONS_TABLE in tables and "store" not in tables:
        conn.execute(sa.text(f"DROP TABLE {LEGACY_MIGRATIONS_TABLE}"))


def bump_version(conn: Connection) -> int:
    """Take the writers' lock (the version row) and return this transaction's version."""
    conn.execute(version_table.update().values(version=version_table.c.version + 1))
    return current_version(conn)


def current_version(conn: Connection) -> int:
    """The version row as this connection sees it (0 before any write)."""
    return int(conn.execute(sa.select(version_table.c.version)).scalar_one())


def chunks(seq: Sequence[_T], size: int = IN_CHUNK) -> Iterator[Sequence[_T]]:
    """`seq` in slices of at most `size`, for `IN` lists."""
    for start in range(0, len(seq), size):
        yield seq[start : start + size]
