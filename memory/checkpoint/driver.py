"""Run a plan on a DBAPI connection, with SQL compiled once per dialect.

Why not `Connection.execute`: a checkpoint put is two small statements, and SQLAlchemy's
per-execute bookkeeping (execution context, result wrapping, begin/commit events) cost ~150 us
on SQLite, more than the statements themselves (bench/checkpointer.py, sqlite_putget 0.27 before
this module). SQLAlchemy still builds every statement (dialect-aware upserts included), owns
the pool and the URL; this module only skips its per-call layer. Statements are compiled once
and cached; statements with IN lists are compiled per call (rare paths: list, prune, deletes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import ClauseElement
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from memory.checkpoint.plans import Plan, Step

_CACHE_SIZE = 512


@dataclass(frozen=True)
class Sql:
    """A statement compiled for one dialect: its text and, for positional styles, name order."""

    text: str
    order: tuple[str, ...] | None
    defaults: Mapping[str, Any]
    #: Positional parameters straight from a complete mapping (the hot path: no merge).
    pick: Callable[[Mapping[str, Any]], Any] | None = None

    def bind(self, params: Mapping[str, Any] | None) -> Sequence[Any] | Mapping[str, Any]:
        if params and self.pick is not None:
            try:
                picked = self.pick(params)
            except KeyError:  # some parameters left to their defaults
                pass
            else:
                return picked if len(self.order or ()) > 1 else (picked,)
        merged = {**self.defaults, **(params or {})}
        if self.order is None:
            return merged
        return tuple(merged[name] for name in self.order)


def _to_sql(compiled: SQLCompiler) -> Sql:
    order = getattr(compiled, "positiontup", None)
    defaults = compiled.construct_params(_check=False)
    pick = itemgetter(*order) if order else None
    return Sql(compiled.string, tuple(order) if order else None, defaults, pick)


class Compiler:
    """Compiles Core statements for one dialect; statements without IN lists are cached."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._cache: dict[int, tuple[ClauseElement, Sql]] = {}

    def __call__(self, stmt: ClauseElement) -> Sql:
        if (hit := self._cache.get(id(stmt))) is not None and hit[0] is stmt:
            return hit[1]
        compiled = stmt.compile(dialect=self.dialect, compile_kwargs={"render_postcompile": True})
        assert isinstance(compiled, SQLCompiler)  # DML and SELECT, never DDL
        sql = _to_sql(compiled)
        if not getattr(compiled, "_post_compile_expanded_state", None):
            if len(self._cache) >= _CACHE_SIZE:  # one-off statements must not pile up
                self._cache.clear()
            self._cache[id(stmt)] = (stmt, sql)
        return sql


def _metadata_param(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


def _prepare(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """JSON metadata is serialised here, as SQLAlchemy's JSON type would on its own path."""
    if "metadata" in row:
        return {**row, "metadata": _metadata_param(row["metadata"])}
    return row


def _rows(cursor: Any) -> list[dict[str, Any]]:
    fetched = cursor.fetchall()  # first: in a psycopg pipeline, this is what syncs the results
    if not fetched:  # a miss (every new thread's first get_tuple): no names to look up
        return []
    names = [d[0] for d in cursor.description]
    out = [dict(zip(names, values, strict=True)) for values in fetched]
    if "metadata" in names:
        for row in out:
            if isinstance(md := row["metadata"], str | bytes):
                row["metadata"] = json.loads(md)
    return out


def run_plan(dbapi_conn: Any, compile: Compiler, plan: Plan[Any]) -> Any:
    """Execute the plan's statements on `dbapi_conn`; the caller commits or rolls back."""
    cursor = dbapi_conn.cursor()
    try:
        stmt, params, fetch = next(plan)
        while True:
            sql = compile(stmt)
            if isinstance(params, list):
                cursor.executemany(sql.text, [sql.bind(_prepare(p)) for p in params])
            else:
                cursor.execute(sql.text, sql.bind(_prepare(params) if params else None))
            stmt, params, fetch = plan.send(_rows(cursor) if fetch else [])
    except StopIteration as done:
        return done.value
    finally:
        cursor.close()


def run_transaction(
    dbapi_conn: Any, compile: Compiler, plan: Plan[Any], commit: bool, first: str | None = None
) -> Any:
    """Run `plan` as one transaction: committed, or rolled back when it only read or failed.

    `first` is a statement to run before the plan, inside the transaction (a SET TRANSACTION).
    """
    try:
        if first is not None:
            with dbapi_conn.cursor() as cursor:
                cursor.execute(first)
        result = run_plan(dbapi_conn, compile, plan)
    except BaseException:
        dbapi_conn.rollback()
        raise
    dbapi_conn.commit() if commit else dbapi_conn.rollback()
    return result


def lookahead(plan: Plan[Any]) -> tuple[bool, Plan[Any]]:
    """Whether `plan` is exactly one statement, and a plan that runs the same statements.

    Steps that fetch nothing don't depend on results, so they can be drawn ahead of running
    them: a plan found to be one statement can run in autocommit mode, where one statement is
    its own transaction (PostgreSQL: no BEGIN/COMMIT round trips, see `sync._psycopg_attempt`).
    """
    drawn: list[Step] = []
    try:
        step = next(plan)
        while not step[2]:
            drawn.append(step)
            step = plan.send([])
    except StopIteration as done:
        return len(drawn) == 1, _replay(drawn, done.value, None, plan)
    return False, _replay(drawn, None, step, plan)


def _replay(drawn: list[Step], value: Any, then: Step | None, rest: Plan[Any]) -> Plan[Any]:
    """The drawn steps, then `then` and whatever `rest` yields after it."""
    for step in drawn:
        yield step
    if then is None:
        return value
    rows = yield then
    while True:
        try:
            step = rest.send(rows)
        except StopIteration as done:
            return done.value
        rows = yield step
