"""The SQL each saver runs, built once per dialect so SQLAlchemy's compiled cache always hits.

Upserts are dialect-specific (`INSERT .. ON CONFLICT` on SQLite and PostgreSQL, `INSERT .. ON
DUPLICATE KEY UPDATE` on MySQL/MariaDB); everything else is portable Core.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Insert,
    Integer,
    LargeBinary,
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.sql.selectable import CompoundSelect

from memory.checkpoint.base import (
    CHANNEL_LEN,
    ID_LEN,
    SHORT_LEN,
    TABLES,
    blobs,
    checkpoints,
    writes,
)

CHECKPOINT_COLUMNS = (
    checkpoints.c.thread_id,
    checkpoints.c.checkpoint_ns,
    checkpoints.c.checkpoint_id,
    checkpoints.c.parent_checkpoint_id,
    checkpoints.c.type,
    checkpoints.c.checkpoint,
    checkpoints.c.metadata,
)
_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")


def _is_mysql(dialect: str) -> bool:
    return dialect in ("mysql", "mariadb")


CHECKPOINT_UPDATE = ("parent_checkpoint_id", "run_id", "type", "checkpoint", "metadata")
WRITES_UPDATE = ("channel", "type", "blob", "task_path")


def upsert(
    dialect: str,
    table: Table,
    update: Sequence[str] | None,
    rows: list[dict[str, Any]] | None = None,
) -> Insert:
    """INSERT that updates `update` columns on a key conflict, or does nothing if None.

    `rows` (bound parameters per column) makes it a multi-row INSERT; without, the parameters
    are the column names.
    """
    keys = [c.name for c in table.primary_key.columns]
    if _is_mysql(dialect):
        my = mysql.insert(table)
        if rows:
            my = my.values(rows)
        cols = update or keys[:1]  # MySQL has no DO NOTHING: set a key column to itself
        return my.on_duplicate_key_update({c: my.inserted[c] for c in cols})
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no upsert for dialect {dialect!r}")
    # Both spell it ON CONFLICT, with the same SQLAlchemy API.
    ins = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    if rows:
        ins = ins.values(rows)
    if update is None:
        return ins.on_conflict_do_nothing(index_elements=keys)
    return ins.on_conflict_do_update(index_elements=keys, set_={c: ins.excluded[c] for c in update})


_TABLES = {t.name: t for t in TABLES}

#: Rows per multi-row INSERT: 100 rows of 9 columns stay under every dialect's bound-parameter
#: limit (SQLite's old default was 999). Bigger batches take more than one statement.
ROWS_PER_INSERT = 100


def _multi_values(table: Table, n: int, prefix: str) -> list[dict[str, Any]]:
    """`n` rows of bound parameters named `{prefix}{i}_{column}`, typed as the columns."""
    return [
        {c.name: bindparam(f"{prefix}{i}_{c.name}", type_=c.type) for c in table.c}
        for i in range(n)
    ]


def rows_params(rows: Sequence[Mapping[str, Any]], prefix: str) -> dict[str, Any]:
    """Parameters for a statement built with `_multi_values(table, len(rows), prefix)`."""
    return {f"{prefix}{i}_{k}": v for i, row in enumerate(rows) for k, v in row.items()}


@cache
def insert_rows(dialect: str, table_name: str, update: tuple[str, ...] | None, n: int) -> Insert:
    """One INSERT of `n` rows (parameters `r0_thread_id` ...) with `upsert`'s conflict rule.

    One statement instead of `executemany`: one execution on every driver, and on PostgreSQL a
    statement that is its own transaction (see `put_checkpoint`).
    """
    table = _TABLES[table_name]
    return upsert(dialect, table, update, _multi_values(table, n, "r"))


@cache
def insert_row(dialect: str, table_name: str, update: tuple[str, ...] | None) -> Insert:
    """One row's INSERT (parameters named as the columns), for `executemany` on SQLite.

    SQLite runs in-process: a multi-row INSERT saves no round trip there, and one fixed
    statement per table lets `executemany` bind plain column-ordered rows (no per-row
    parameter names to build) on a statement sqlite3 keeps prepared.
    """
    return upsert(dialect, _TABLES[table_name], update)


@cache
def put_checkpoint(dialect: str, n_blobs: int) -> Insert:
    """The checkpoint upsert (plain parameter names), with `n_blobs` new blobs on PostgreSQL.

    PostgreSQL runs the blob insert as a data-modifying CTE of the checkpoint upsert: one
    statement, atomic on its own, so a put needs no BEGIN/COMMIT around it (one round trip and
    one commit; PostgresSaver's autocommit pipeline commits each statement separately). Other
    dialects get the upsert alone and insert blobs with `insert_rows` in the same transaction.
    """
    stmt = upsert(dialect, checkpoints, CHECKPOINT_UPDATE)
    if n_blobs and dialect == "postgresql":
        new_blobs = upsert(dialect, blobs, None, _multi_values(blobs, n_blobs, "b"))
        stmt = stmt.add_cte(new_blobs.cte("new_blobs"))
    return stmt


@cache
def values_query(n_blobs: int, n_writes: int) -> Select[Any] | CompoundSelect:
    """Blobs and pending writes of a batch of checkpoints, in one round trip.

    One statement per (number of blob keys, number of checkpoints), with a bound parameter per
    key part (`b0_thread` ...): built and compiled once, unlike an expanding IN list.
    """
    if not n_writes:
        return _blobs_select(n_blobs)
    w = select(
        literal_column("'w'").label("kind"),
        writes.c.thread_id,
        writes.c.checkpoint_ns,
        writes.c.channel,
        writes.c.checkpoint_id.label("key"),
        writes.c.type,
        writes.c.blob,
        writes.c.task_id,
        writes.c.task_path,
        writes.c.idx,
    ).where(or_(*[_key_match(writes, "checkpoint_id", f"w{i}") for i in range(n_writes)]))
    if not n_blobs:
        return w
    return union_all(_blobs_select(n_blobs), w)


def _blobs_select(n_blobs: int) -> Select[Any]:
    return select(
        literal_column("'b'").label("kind"),
        blobs.c.thread_id,
        blobs.c.checkpoint_ns,
        blobs.c.channel,
        blobs.c.version.label("key"),
        blobs.c.type,
        blobs.c.blob,
        cast(null(), String(SHORT_LEN)).label("task_id"),
        cast(null(), String(ID_LEN)).label("task_path"),
        cast(null(), Integer).label("idx"),
    ).where(or_(*[_key_match(blobs, "version", f"b{i}", "channel") for i in range(n_blobs)]))


def checkpoint_with_writes(by_id: bool) -> CompoundSelect:
    """A checkpoint row (kind 'c') and its pending writes (kind 'w'), in one statement.

    The checkpoint is `:checkpoint_id`, or the newest of (`:thread_id`, `:ns`) through a MAX
    on the primary key (a compound SELECT can't ORDER BY/LIMIT one member on SQLite). Its
    blob rows need its body decoded first, so they come in a second statement, and only for
    a checkpoint that carries large values unchanged (see `base.dump_put`).
    """
    c, w = checkpoints.c, writes.c
    if by_id:
        target: ColumnElement[Any] = bindparam("checkpoint_id")
    else:
        target = select(func.max(c.checkpoint_id)).where(_scope(checkpoints)).scalar_subquery()
    row = select(
        literal_column("'c'").label("kind"),
        *CHECKPOINT_COLUMNS,
        cast(null(), String(CHANNEL_LEN)).label("channel"),
        cast(null(), LargeBinary).label("blob"),
        cast(null(), String(SHORT_LEN)).label("task_id"),
        cast(null(), String(ID_LEN)).label("task_path"),
        cast(null(), Integer).label("idx"),
    ).where(_scope(checkpoints), c.checkpoint_id == target)
    pending = select(
        literal_column("'w'").label("kind"),
        w.thread_id,
        w.checkpoint_ns,
        w.checkpoint_id,
        null().label("parent_checkpoint_id"),
        w.type,
        null().label("checkpoint"),
        null().label("metadata"),
        w.channel,
        w.blob,
        w.task_id,
        w.task_path,
        w.idx,
    ).where(_scope(writes), w.checkpoint_id == target)
    return union_all(row, pending)


def _key_match(
    table: Table, last: str, prefix: str, extra: str | None = None
) -> ColumnElement[bool]:
    conds = [
        table.c.thread_id == bindparam(f"{prefix}_thread"),
        table.c.checkpoint_ns == bindparam(f"{prefix}_ns"),
        table.c[last] == bindparam(f"{prefix}_{last}"),
    ]
    if extra:
        conds.append(table.c[extra] == bindparam(f"{prefix}_{extra}"))
    return and_(*conds)


def values_params(
    blob_keys: Sequence[tuple[str, str, str, str]], write_keys: Sequence[tuple[str, str, str]]
) -> dict[str, Any]:
    """Parameters for `values_query(len(blob_keys), len(write_keys))`."""
    params: dict[str, Any] = {}
    for i, (thread_id, ns, channel, version) in enumerate(blob_keys):
        params |= {
            f"b{i}_thread": thread_id,
            f"b{i}_ns": ns,
            f"b{i}_channel": channel,
            f"b{i}_version": version,
        }
    for i, (thread_id, ns, checkpoint_id) in enumerate(write_keys):
        params |= {f"w{i}_thread": thread_id, f"w{i}_ns": ns, f"w{i}_checkpoint_id": checkpoint_id}
    return params


def _scope(table: Table) -> ColumnElement[bool]:
    return and_(
        table.c.thread_id == bindparam("thread_id"), table.c.checkpoint_ns == bindparam("ns")
    )


@dataclass(frozen=True)
class Statements:
    """Every statement a saver runs, for one dialect."""

    dialect: str
    latest: CompoundSelect
    by_id: CompoundSelect
    #: The newest checkpoint row of (`:thread_id`, `:ns`) alone (SQLite's `get_tuple`).
    newest: Select[Any]
    thread_rows: Select[Any]
    scope_bodies: Select[Any]
    scope_blob_keys: Select[Any]
    delete_thread: tuple[Delete, ...]

    def metadata_filter(
        self, filter: Mapping[str, Any]
    ) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
        """SQL conditions for `filter`, and the part left for Python to check.

        Scalars are filtered in SQL on every dialect (PostgreSQL `@>`, MySQL/MariaDB
        `JSON_CONTAINS`, SQLite `json_extract`); nested values are compared in Python, where
        equality is exact (the SQL operators test containment).
        """
        scalars = {
            k: v for k, v in filter.items() if v is None or isinstance(v, str | int | float | bool)
        }
        rest = {k: v for k, v in filter.items() if k not in scalars}
        col = checkpoints.c.metadata
        if not scalars:
            return [], rest
        if self.dialect == "postgresql":
            return [col.op("@>")(cast(literal(json.dumps(scalars)), postgresql.JSONB))], rest
        if _is_mysql(self.dialect):
            return [func.json_contains(col, json.dumps(scalars)) == 1], rest
        conds: list[ColumnElement[bool]] = []
        for key, value in scalars.items():
            if not _SIMPLE_KEY.match(key):
                rest[key] = value
                continue
            path = f'$."{key}"'
            if value is None or isinstance(value, bool):
                kind = "null" if value is None else ("true" if value else "false")
                conds.append(func.json_type(col, path) == kind)
            else:
                conds.append(func.json_extract(col, path) == value)
        return conds, rest


@cache
def statements(dialect: str) -> Statements:
    """The statements for `dialect` (the engine's `dialect.name`), built once."""
    c = checkpoints
    return Statements(
        dialect=dialect,
        latest=checkpoint_with_writes(by_id=False),
        by_id=checkpoint_with_writes(by_id=True),
        # LIMIT/OFFSET as literals: SQLite would otherwise bind both (and always renders OFFSET).
        newest=select(*CHECKPOINT_COLUMNS)
        .where(_scope(c))
        .order_by(c.c.checkpoint_id.desc())
        .limit(literal_column("1"))
        .offset(literal_column("0")),
        thread_rows=select(c.c.checkpoint_ns, c.c.checkpoint_id, c.c.metadata).where(
            c.c.thread_id == bindparam("thread_id")
        ),
        scope_bodies=select(c.c.type, c.c.checkpoint).where(_scope(c)),
        scope_blob_keys=select(blobs.c.channel, blobs.c.version).where(_scope(blobs)),
        delete_thread=tuple(
            t.delete().where(t.c.thread_id == bindparam("thread_id"))
            for t in (writes, blobs, checkpoints)
        ),
    )
