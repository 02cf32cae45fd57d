"""The local trace sink: a LangChain tracer that writes every run of a trace to SQL.

Writes are buffered per root run: LangChain's `BaseTracer` already keeps the whole tree in
memory until the root ends, so the sink writes the trace in one transaction when it does
(`_persist_run`). One insert of N rows per workflow run, instead of N round trips while the
agents work, keeps the sink off the hot path (see bench/tracing.py for the measured cost).

Everything is masked (`observability.masking`) and long strings are cut before writing.
Lone UTF-16 surrogates (icon glyphs some PDF readers emit) cannot be encoded as UTF-8 and made
the whole insert fail, losing the trace: every stored string passes `_encodable` first.
A failing sink never fails the workflow: the error is logged and the trace is dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.schemas import Run
from sqlalchemy import Engine, insert

from observability.masking import mask_text, masked_jsonable
from observability.runs import case_metadata, model_name, run_metadata, status_of, token_usage
from observability.schema import ensure_tables, trace_runs

log = logging.getLogger(__name__)

MAX_PAYLOAD_CHARS = 20_000
"""Longest string kept in a stored payload: a whole document in a node input is cut here."""


def _encodable(text: str) -> str:
    """`text` with each lone surrogate replaced by `?` and NULs dropped (PostgreSQL refuses
    them in text columns)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _json(value: Any) -> str:
    dumped = json.dumps(masked_jsonable(value, max_chars=MAX_PAYLOAD_CHARS), ensure_ascii=False)
    return _encodable(dumped)  # json.dumps escapes NUL as the six characters \u0000


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _walk(run: Run, depth: int = 0) -> Iterator[tuple[Run, int]]:
    yield run, depth
    for child in sorted(run.child_runs, key=lambda r: r.start_time):
        yield from _walk(child, depth + 1)


def trace_rows(root: Run, *, thread_id: str | None = None) -> list[dict[str, Any]]:
    """The rows of one trace, parents before children, masked and ready to insert."""
    root_meta = run_metadata(root)
    thread = thread_id or root_meta.get("thread_id")
    rows: list[dict[str, Any]] = []
    agents: dict[str, str | None] = {}
    for seq, (run, depth) in enumerate(_walk(root)):
        meta = run_metadata(run)
        if run is root:
            meta.update(case_metadata(run))
        parent_agent = agents.get(str(run.parent_run_id)) if run.parent_run_id else None
        agent = meta.get("langgraph_node") or parent_agent
        agents[str(run.id)] = agent
        start, end = _aware(run.start_time), _aware(run.end_time)
        usage = token_usage(run)
        rows.append(
            {
                "id": str(run.id),
                "trace_id": str(root.id),
                "parent_id": str(run.parent_run_id) if run.parent_run_id else None,
                "thread_id": str(thread) if thread is not None else None,
                "seq": seq,
                "depth": depth,
                "name": _encodable(run.name[:200]),
                "run_type": run.run_type,
                "agent": str(agent)[:200] if agent else None,
                "status": status_of(run),
                "start_time": start,
                "end_time": end,
                "latency_ms": (end - start).total_seconds() * 1000 if start and end else None,
                "prompt_tokens": usage["prompt_tokens"] if usage else None,
                "completion_tokens": usage["completion_tokens"] if usage else None,
                "total_tokens": usage["total_tokens"] if usage else None,
                "model": model_name(run),
                "error": _encodable(mask_text(run.error)[:MAX_PAYLOAD_CHARS])
                if run.error
                else None,
                "inputs": _json(run.inputs or {}),
                "outputs": _json(run.outputs) if run.outputs is not None else None,
                "tags": json.dumps(run.tags or []),
                "metadata": _json(meta),
            }
        )
    if rows and rows[0]["status"] == "success":
        if any(row["status"] == "interrupted" for row in rows):
            rows[0]["status"] = "interrupted"  # the workflow paused at an approval gateway
    return rows


class SqlTraceSink(BaseTracer):
    """Writes each finished trace (root run and all its descendants) to `trace_runs`."""

    name: str = "overture_sql_trace_sink"

    def __init__(self, engine: Engine, *, thread_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.thread_id = thread_id

    def target(self) -> Engine:
        """The database traces are written to."""
        return self.engine

    def _persist_run(self, run: Run) -> None:
        try:
            engine = self.target()
            ensure_tables(engine)
            rows = trace_rows(run, thread_id=self.thread_id)
            with engine.begin() as conn:
                conn.execute(insert(trace_runs), rows)
        except Exception:  # noqa: BLE001 - tracing must never break the traced workflow
            log.exception("could not write trace %s to the trace sink", run.id)


class ServerTraceSink(SqlTraceSink):
    """The sink for runs a server starts: one instance for every run of a graph, its engine
    resolved at the first trace (importing the graph must not open the database), each
    trace's thread read from its root run's metadata (LangGraph copies `thread_id` there)."""

    def __init__(self, engine: Callable[[], Engine], **kwargs: Any) -> None:
        BaseTracer.__init__(self, **kwargs)
        self._engine_factory = engine
        self.thread_id = None

    def target(self) -> Engine:
        return self._engine_factory()
